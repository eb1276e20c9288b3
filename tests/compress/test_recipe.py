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
