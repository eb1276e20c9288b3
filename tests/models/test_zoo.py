"""Pulling: complete, described, idempotent, and atomic."""

from __future__ import annotations

import json
import os

import pytest
from click.testing import CliRunner

from edgeocr.cli.main import cli
from edgeocr.errors import InputError
from edgeocr.models import zoo
from edgeocr.models.onnx_source import source_onnx
from edgeocr.paths import model_set_dir
from edgeocr.utils.hashing import sha256_file


def test_pull_writes_described_model_set(pulled_models) -> None:
    base = model_set_dir("ppocrv2")
    manifest = json.loads((base / "manifest.json").read_text())
    assert manifest["dictionary"] == {"file": "ppocr_keys_v1.txt", "entries": 6623, "classes": 6625}
    for task in ("det", "cls", "rec"):
        m = json.loads((base / task / "manifest.json").read_text())
        assert m["source"]["sha256"] == sha256_file(source_onnx(task))
        assert m["parameters"] > 100_000
        for rel, digest in m["files"].items():
            assert sha256_file(base / task / rel) == digest
    # PP-OCRv2 rec CRNN ~2.1M parameters incl. the 6625-way head; det backbone+FPN+head ~0.6M
    assert 2_000_000 < manifest["models"]["rec"]["parameters"] < 2_200_000


def test_second_pull_is_a_noop(pulled_models) -> None:
    base = model_set_dir("ppocrv2")
    before = {p: p.stat().st_mtime_ns for p in base.rglob("*")}
    zoo.pull("ppocrv2")
    assert {p: p.stat().st_mtime_ns for p in base.rglob("*")} == before


def test_corrupted_set_is_detected_and_rebuilt(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("EDGEOCR_HOME", str(tmp_path))
    zoo.pull("ppocrv2")
    params = model_set_dir("ppocrv2") / "rec" / "inference.pdiparams"
    params.write_bytes(params.read_bytes()[:1000])  # truncated
    assert not zoo.is_pulled("ppocrv2")
    zoo.pull("ppocrv2")
    assert zoo.is_pulled("ppocrv2")


def test_interrupted_pull_leaves_nothing(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("EDGEOCR_HOME", str(tmp_path))
    real = zoo._build_model_dir

    def fail_on_rec(task, out):
        if task == "rec":
            raise KeyboardInterrupt
        return real(task, out)

    monkeypatch.setattr(zoo, "_build_model_dir", fail_on_rec)
    with pytest.raises(KeyboardInterrupt):
        zoo.pull("ppocrv2")
    models_dir = tmp_path / "models"
    assert os.listdir(models_dir) == []  # neither the set nor a temporary folder remains


def test_unknown_set_is_refused() -> None:
    with pytest.raises(InputError, match="known: ppocrv2"):
        zoo.pull("ppocrv9")


def test_cli_list_and_pull(pulled_models) -> None:
    runner = CliRunner()
    out = runner.invoke(cli, ["models", "list", "--json"])
    assert out.exit_code == 0
    assert json.loads(out.output)[0]["pulled"] is True
    out = runner.invoke(cli, ["models", "pull", "ppocrv2"])
    assert out.exit_code == 0 and "ppocrv2" in out.output
