from __future__ import annotations

import pytest

from edgeocr.compress.recipe import load_recipe, recipes_dir
from edgeocr.errors import InputError


@pytest.mark.parametrize("path", sorted(recipes_dir().glob("*.yml")), ids=lambda p: p.name)
def test_every_shipped_recipe_is_valid(path) -> None:
    model, method = path.stem.split("_")
    recipe = load_recipe(path, model=model, method=method)
    assert recipe.source == str(path) and recipe.train.steps > 0


def test_one_recipe_per_model_and_method() -> None:
    names = {p.stem for p in recipes_dir().glob("*.yml")}
    assert names == {f"{m}_{k}" for m in ("det", "cls", "rec") for k in ("pact", "ptq", "prune")}


def _write(tmp_path, text):
    path = tmp_path / "r.yml"
    path.write_text(text)
    return path


def test_unknown_key_is_an_error_naming_file_and_key(tmp_path) -> None:
    path = _write(tmp_path, "model: rec\nmethod: pact\ntrain:\n  stpes: 2000\n")
    with pytest.raises(InputError, match=r"r.yml: train: unknown key\(s\) stpes"):
        load_recipe(path, model="rec", method="pact")


def test_wrong_type_is_an_error(tmp_path) -> None:
    path = _write(tmp_path, "model: rec\nmethod: pact\ntrain:\n  steps: many\n")
    with pytest.raises(InputError, match=r"train.steps: expected int, got str"):
        load_recipe(path, model="rec", method="pact")
    path = _write(tmp_path, "model: rec\nmethod: pact\nquant:\n  skip_depthwise: 1\n")
    with pytest.raises(InputError, match="expected bool"):
        load_recipe(path, model="rec", method="pact")


def test_recipe_for_another_model_is_refused(tmp_path) -> None:
    with pytest.raises(InputError, match="recipe is for model 'det' but --model is 'rec'"):
        load_recipe(recipes_dir() / "det_pact.yml", model="rec", method="pact")


def test_cli_flags_override_the_recipe() -> None:
    recipe = load_recipe(model="rec", method="pact").override("train", steps=7, lr=None)
    assert recipe.train.steps == 7 and recipe.train.lr == load_recipe(model="rec", method="pact").train.lr


@pytest.mark.parametrize("section, line, message", [
    ("prune", "criterion: fpgmm", r"prune.criterion: 'fpgmm' is not one of fpgm, l1"),
    ("data", "bad_samples: drop", r"data.bad_samples: 'drop' is not one of error, skip"),
    ("quant", "ptq_algo: kl", r"quant.ptq_algo: 'kl' is not one of"),
    ("train", "steps: 0", r"train.steps: must be positive"),
    ("prune", "flops_ratio: 1.5", r"prune.flops_ratio: must be between"),
    ("train", "det_input_size: 500", r"train.det_input_size: must be a multiple of 32"),
])
def test_value_out_of_range_is_an_error_naming_file_and_key(tmp_path, section, line, message) -> None:
    path = _write(tmp_path, f"model: det\nmethod: prune\n{section}:\n  {line}\n")
    with pytest.raises(InputError, match=rf"r.yml: {message}"):
        load_recipe(path, model="det", method="prune")


def test_every_recipe_key_is_documented_in_the_readme() -> None:
    import dataclasses
    from pathlib import Path

    from edgeocr.compress.recipe import SECTIONS, Recipe

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    rows = {(line.split("|")[1].strip(), line.split("|")[2].strip().strip("`"))
            for line in readme.splitlines() if line.startswith("| ") and line.count("|") >= 6}
    top = {f.name for f in dataclasses.fields(Recipe)} - {"source", *SECTIONS}
    declared = {("(top)", k) for k in top} | {(name, f.name) for name, cls in SECTIONS.items()
                                              for f in dataclasses.fields(cls)}
    assert declared <= rows, sorted(declared - rows)


def test_held_out_data_is_for_evaluation_only(tmp_path) -> None:
    path = _write(tmp_path, "model: rec\nmethod: ptq\ndata:\n  eval: synth-heldout\n")
    assert load_recipe(path, model="rec", method="ptq").data.eval == "synth-heldout"
    path = _write(tmp_path, "model: rec\nmethod: ptq\ndata:\n  train: synth-heldout\n")
    with pytest.raises(InputError, match="r.yml: data.train cannot be synth-heldout: the held-out style is for "
                                         "evaluation only"):
        load_recipe(path, model="rec", method="ptq")
