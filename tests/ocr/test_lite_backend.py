"""Paddle-Lite backend: float x86 bundles give Paddle Inference's results; bundles this
runtime would run wrongly are refused with a message saying what to do."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
from click.testing import CliRunner

from edgeocr.cli.main import cli
from edgeocr.bundle import Bundle
from edgeocr.models.charset import load_charset
from edgeocr.ocr.backends import create_backend
from edgeocr.ocr.backends.lite import RuntimeMismatch
from edgeocr.ocr.system import TextSystem
from edgeocr.utils.atomic import write_json
from tests.ocr.conftest import PAGE_TEXTS
from tests.ocr.test_backends import parity_pages


@pytest.fixture(scope="module")
def lite_system(x86_bundle) -> TextSystem:
    models = Bundle.load(x86_bundle)
    return TextSystem(create_backend("lite", models), load_charset(models.dict_path))


def test_float_bundle_reads_like_paddle_inference(lite_system, pulled_models, page) -> None:
    paddle = TextSystem(create_backend("paddle", pulled_models), load_charset(pulled_models.dict_path))
    assert lite_system(page).texts == PAGE_TEXTS
    for image in [page, *parity_pages()]:
        a, b = lite_system(image), paddle(image)
        assert a.texts == b.texts and a.lines
        for la, lb in zip(a.lines, b.lines):
            assert np.abs(np.array(la.box) - np.array(lb.box)).max() <= 1
            assert la.score == pytest.approx(lb.score, abs=2e-3)


def test_varying_rec_widths_use_fresh_predictors(lite_system) -> None:
    """Widths 320 -> 640 -> 320 in one backend: results must not depend on what ran before."""
    rng = np.random.default_rng(0)
    narrow = rng.uniform(-1, 1, (2, 3, 32, 320)).astype(np.float32)
    wide = rng.uniform(-1, 1, (2, 3, 32, 640)).astype(np.float32)
    first = lite_system.backend.infer("rec", narrow)
    lite_system.backend.infer("rec", wide)
    np.testing.assert_array_equal(lite_system.backend.infer("rec", narrow), first)


def test_arm_bundle_is_refused_on_this_host(arm_bundle) -> None:
    with pytest.raises(RuntimeMismatch, match="bundle is for arm64-v8a .* would return garbage"):
        create_backend("lite", Bundle.load(arm_bundle))


def _edited_copy(bundle, tmp_path, edit) -> object:
    copy = tmp_path / "bundle"
    shutil.copytree(bundle, copy)
    manifest = json.loads((copy / "manifest.json").read_text())
    edit(manifest)
    write_json(copy / "manifest.json", manifest)
    return copy


def test_converter_runtime_version_mismatch_is_refused(x86_bundle, tmp_path) -> None:
    copy = _edited_copy(x86_bundle, tmp_path, lambda m: m["converter"].update(version="v2.10"))
    with pytest.raises(RuntimeMismatch, match="converted by opt v2.10 but the runtime is v2.13-rc"):
        create_backend("lite", Bundle.load(copy))


def test_quantized_bundle_is_not_run_on_x86(x86_bundle, tmp_path) -> None:
    copy = _edited_copy(x86_bundle, tmp_path, lambda m: m["models"]["rec"].update(quantized=True))
    with pytest.raises(RuntimeMismatch, match="rec model\\(s\\) are quantized"):
        create_backend("lite", Bundle.load(copy))


def test_cli_ocr_and_eval_with_lite_backend(x86_bundle, arm_bundle, page_file, tmp_path) -> None:
    runner = CliRunner()
    res = runner.invoke(cli, ["ocr", str(page_file), "--backend", "lite", "--bundle", str(x86_bundle),
                              "--out", str(tmp_path / "r.json")])
    assert res.exit_code == 0, res.output
    assert [line["text"] for line in json.loads((tmp_path / "r.json").read_text())["images"][0]["lines"]] == PAGE_TEXTS
    res = runner.invoke(cli, ["ocr", str(page_file), "--backend", "lite", "--bundle", str(arm_bundle)])
    assert res.exit_code != 0
    res = runner.invoke(cli, ["ocr", str(page_file), "--backend", "lite"])
    assert res.exit_code != 0
