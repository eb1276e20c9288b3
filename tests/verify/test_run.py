"""``edgeocr verify`` end to end. Without a Paddle-Lite ARM library nothing can run on ARM
kernels, and verify says so without claiming anything. With one (``$EDGEOCR_LITE_LIB``: built
from Paddle-Lite's public source by hand, never in CI) the bundle runs on the emulated arm64
board and is held to the host: the float bundle passes, and the classifier with an int8 head —
what ``make demo`` made before the fix — fails naming cls. ONNX Runtime bundles run on ONNX
Runtime's own ARM Linux library (fetched from npm at set-up), so CI verifies those on real ARM
kernels: float and int8."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import cv2
import pytest
from click.testing import CliRunner

from edgeocr.cli.main import cli
from edgeocr.verify.run import LITE_LIB_ENV, CannotVerify
from tests.conftest import render_page
from tests.ocr.conftest import PAGE_LINES

LITE_LIB = os.environ.get(LITE_LIB_ENV)
needs_arm = pytest.mark.skipif(not LITE_LIB, reason=f"no Paddle-Lite ARM library (${LITE_LIB_ENV}): it cannot be "
                                                    "installed from a registry; CI has none")


def test_without_an_arm_library_nothing_is_claimed(arm_bundle: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv(LITE_LIB_ENV, raising=False)
    copy = tmp_path / "bundle"
    shutil.copytree(arm_bundle, copy)
    res = CliRunner().invoke(cli, ["verify", str(copy)])
    assert isinstance(res.exception, CannotVerify) and res.exception.exit_code == 3  # `edgeocr` exits with it
    assert "no Paddle-Lite ARM library" in str(res.exception) and "nothing is verified" in str(res.exception)
    assert "verification" not in json.loads((copy / "manifest.json").read_text())
    shown = CliRunner().invoke(cli, ["inspect", str(copy)])
    assert "ARM verification: none (not run on ARM kernels" in shown.output


def test_an_x86_bundle_is_not_verified_on_arm(x86_bundle: Path, tmp_path: Path) -> None:
    res = CliRunner().invoke(cli, ["verify", str(x86_bundle), "--lite-lib", str(tmp_path)])
    assert isinstance(res.exception, CannotVerify) and "bundle is for x86_64" in str(res.exception)


def test_a_failure_the_conversion_explains_gets_a_hint() -> None:
    from edgeocr.verify.run import failure_hints
    from edgeocr.verify.verdict import Verdict

    manifest = {"models": {"det": {"quantized": False}, "rec": {"quantized": True,
                                                              "unread_quantizers": {"count": 19}}}}
    rec_failed = Verdict(False, ("rec: 9 of 126 decisions differ from the host",), {})
    det_failed = Verdict(False, ("det: 3 of 9 decisions differ from the host",), {})
    [hint] = failure_hints(manifest, rec_failed)
    assert hint.startswith("rec: its source model rounds 19 activation(s)") and "drop_unread_quantizers_in" in hint
    assert failure_hints(manifest, det_failed) == []  # det's model has none: no guess offered


@pytest.fixture(scope="module")
def few_images(tmp_path_factory) -> Path:
    """A page of several lines and a page of one: the classifier's batch goes from several crops to one."""
    folder = tmp_path_factory.mktemp("verify images")
    cv2.imwrite(str(folder / "a_page.png"), render_page(PAGE_LINES, size=(480, 260)))
    cv2.imwrite(str(folder / "b_one_line.png"), render_page(PAGE_LINES[:1], size=(480, 120)))
    return folder


@needs_arm
@pytest.mark.parametrize("cpu", [None, "sm8150"])
def test_the_float_bundle_agrees_with_the_host_on_arm(cpu, pulled_models, few_images, emulated_root_dir, tmp_path,
                                                     monkeypatch) -> None:
    from edgeocr.convert.bundle import convert_bundle

    monkeypatch.setenv("EDGEOCR_EMULATED_ROOT", str(emulated_root_dir))
    from edgeocr.targets import load_target

    bundle = convert_bundle(pulled_models, load_target("armlinux-aarch64"), tmp_path / "float").path
    res = CliRunner().invoke(cli, ["verify", str(bundle), "--images", str(few_images), "--out", str(tmp_path / "v"),
                                   *(["--cpu", cpu] if cpu else [])])
    assert res.exit_code == 0, f"{res.output}\n{res.exception!r}"
    record = json.loads((tmp_path / "v" / "verify.json").read_text())
    assert record["device"].startswith(f"qemu-arm64-{cpu}:" if cpu else "qemu-arm64:")
    assert record["passed"] and record["end_to_end"]["text_agreement"] == 1.0
    assert all(m["decisions_differ"] == 0 for t, m in record["models"].items() if t != "det")
    assert json.loads((bundle / "manifest.json").read_text())["verification"]["passed"] is True


@needs_arm
def test_an_int8_classifier_head_fails_and_names_cls(pulled_models, few_images, emulated_root_dir, tmp_path,
                                                    monkeypatch) -> None:
    from edgeocr.compress import job
    from edgeocr.convert import bundle as bundle_writer
    from edgeocr.convert.runtimes import paddle_lite
    from edgeocr.models.modelset import ModelSet
    from edgeocr.targets import load_target
    from tests.compress.conftest import small

    monkeypatch.setenv("EDGEOCR_EMULATED_ROOT", str(emulated_root_dir))
    out = tmp_path / "cls-pact-head-int8"
    job.quantize("cls", small("cls", "pact", steps=1).override("quant", skip_layers=[]), out)
    monkeypatch.setattr(paddle_lite, "_refuse_int8_fc_per_image", lambda *_: None)  # the guard convert now has
    bundle = bundle_writer.convert_bundle(ModelSet.load("ppocrv2", cls_model=out), load_target("armlinux-aarch64"),
                                          tmp_path / "bundle").path
    # upside-down pages too: an upright-only set can leave every decision "keep" however wrong the head is
    images = tmp_path / "images"
    shutil.copytree(few_images, images)
    for page in sorted(few_images.iterdir()):
        cv2.imwrite(str(images / f"{page.stem}_turned.png"), cv2.rotate(cv2.imread(str(page)), cv2.ROTATE_180))
    res = CliRunner().invoke(cli, ["verify", str(bundle), "--images", str(images), "--out", str(tmp_path / "v")])
    assert res.exit_code != 0 and "ARM disagrees with the host" in str(res.exception)
    assert re.search(r"\n  cls: \d+ of \d+ decisions differ .* on image \d+_[ab]_\w+\.png", str(res.exception))


@needs_arm
def test_int8_rec_is_held_to_the_model_the_device_runs(pulled_models, few_images, emulated_root_dir, tmp_path,
                                                       monkeypatch) -> None:
    """Regression: PaddleSlim's export rounds activations that only float ops read; Paddle-Lite
    does not, so the host reference of the raw export was another model (shipped rec PACT: 117 of
    126 lines as the host). The ARM outputs of both exports are bit-identical; the export
    ``edgeocr quantize`` now makes is the one they agree with."""
    from edgeocr.compress import job
    from edgeocr.convert.bundle import convert_bundle
    from edgeocr.models.modelset import ModelSet
    from edgeocr.ocr.backends.recording import Recording
    from edgeocr.targets import load_target
    from tests.compress.conftest import small

    monkeypatch.setenv("EDGEOCR_EMULATED_ROOT", str(emulated_root_dir))
    recipe = small("rec", "pact", steps=1, train=8, evaluation=6)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(job, "drop_unread_quantizers_in", lambda _path: [])
        job.quantize("rec", recipe, tmp_path / "raw")
    job.quantize("rec", recipe, tmp_path / "exported")
    records, rec_out = {}, {}
    for name in ("raw", "exported"):
        bundle = convert_bundle(ModelSet.load("ppocrv2", rec=tmp_path / name), load_target("armlinux-aarch64"),
                                tmp_path / f"{name}-bundle").path
        CliRunner().invoke(cli, ["verify", str(bundle), "--images", str(few_images), "--out", str(tmp_path / name / "v")])
        records[name] = json.loads((tmp_path / name / "v" / "verify.json").read_text())["models"]["rec"]
        rec_out[name] = [c.output for c in Recording.load(tmp_path / name / "v" / "record").calls() if c.model == "rec"]
    assert all((a == b).all() for a, b in zip(rec_out["raw"], rec_out["exported"], strict=True))
    assert records["exported"]["decisions_differ"] == 0
    # 1-step PACT, 4 lines: mean output difference 1.8e-6 held to the raw export, 5.1e-7 to today's
    assert records["exported"]["mean_abs"] < records["raw"]["mean_abs"] / 2


def test_convert_verifies_only_when_it_can_and_says_so(pulled_models, tmp_path, monkeypatch) -> None:
    monkeypatch.delenv(LITE_LIB_ENV, raising=False)
    auto = CliRunner().invoke(cli, ["convert", "--target", "armlinux-aarch64", "--out", str(tmp_path / "a")])
    assert auto.exit_code == 0, auto.output
    assert "not verified on ARM kernels: no Paddle-Lite ARM library" in auto.output
    asked = CliRunner().invoke(cli, ["convert", "--target", "armlinux-aarch64", "--out", str(tmp_path / "b"), "--verify"])
    assert isinstance(asked.exception, CannotVerify) and "cannot verify: no Paddle-Lite ARM library" in str(asked.exception)
    assert (tmp_path / "b" / "manifest.json").is_file()  # the bundle itself was written


@pytest.fixture(scope="module")
def ort_fetched() -> None:
    from edgeocr.verify.run import onnxruntime_library

    try:
        onnxruntime_library()
    except CannotVerify as e:
        pytest.skip(str(e))


@pytest.mark.parametrize("variant,cpu", [("float", None), ("int8", None), ("int8", "sm8150")])
def test_an_onnxruntime_bundle_is_verified_on_arm_kernels(variant, cpu, ort_fetched, pulled_models, few_images,
                                                         emulated_root_dir, tmp_path, monkeypatch) -> None:
    """The ONNX Runtime runner on ONNX Runtime's real aarch64 library, on the emulated board (also as
    a Snapdragon 855, whose dot-product int8 kernels the runtime then takes), against host ONNX
    Runtime on the very same .onnx files: float end to end equal, int8 within verify's thresholds."""
    from edgeocr.convert.bundle import convert_bundle
    from edgeocr.convert.runtimes.onnxruntime import OnnxRuntimeConverter
    from edgeocr.convert.runtimes.ort_quantize import calibration_inputs
    from edgeocr.models.charset import load_charset
    from edgeocr.targets import load_target

    monkeypatch.setenv("EDGEOCR_EMULATED_ROOT", str(emulated_root_dir))
    converter = None
    if variant == "int8":
        charset = load_charset(pulled_models.dict_path)
        converter = OnnxRuntimeConverter({"rec": calibration_inputs("rec", "synth", charset, pulled_models.config)[:2]})
    bundle = convert_bundle(pulled_models, load_target("armlinux-aarch64", runtime="onnxruntime"), tmp_path / variant,
                            converter=converter).path
    res = CliRunner().invoke(cli, ["verify", str(bundle), "--images", str(few_images), "--out", str(tmp_path / "v"),
                                   *(["--cpu", cpu] if cpu else [])])
    assert res.exit_code == 0, f"{res.output}\n{res.exception!r}"
    record = json.loads((tmp_path / "v" / "verify.json").read_text())
    assert record["device"].startswith(f"qemu-arm64-{cpu}:" if cpu else "qemu-arm64:")
    assert record["runtime"]["name"] == "onnxruntime" and record["runtime"]["version"] == "1.23.2"
    assert record["passed"] and record["end_to_end"]["text_agreement"] == 1.0
    assert record["quantized"]["rec"] is (variant == "int8")
    if variant == "int8":  # held to the host's own noise floor as well: four perturbed host runs
        floor = record["noise_floor"]
        assert floor["runs"] == 4 and len(floor["text_agreement"]) == 4 and floor["lines"] > 0
        assert floor["rate"] == floor["differ"] / floor["lines"]
    else:
        assert record["noise_floor"] is None
    shown = CliRunner().invoke(cli, ["inspect", str(bundle)])
    assert "ARM verification: PASSED" in shown.output and "onnxruntime 1.23.2" in shown.output
    assert ("of lines differ" in shown.output) is (variant == "int8")


@pytest.mark.parametrize("name", ["ppocrv4", "ppocrv5"])
def test_a_newer_familys_onnxruntime_bundle_is_verified_on_arm_kernels(name, family_set, ort_fetched, few_images,
                                                                      emulated_root_dir, tmp_path, monkeypatch) -> None:
    """PP-OCRv4 (exported by paddle2onnx) and PP-OCRv5 (released as ONNX) on ONNX Runtime's aarch64
    library: the native runner takes the family's settings (48-pixel lines, v5's det limit) from the
    bundle and reads every line as the host does."""
    from edgeocr.convert.bundle import convert_bundle
    from edgeocr.targets import load_target

    monkeypatch.setenv("EDGEOCR_EMULATED_ROOT", str(emulated_root_dir))
    models = family_set(name)
    bundle = convert_bundle(models, load_target("armlinux-aarch64", runtime="onnxruntime"), tmp_path / name)
    assert bundle.config == models.config and bundle.manifest["family"] == name
    res = CliRunner().invoke(cli, ["verify", str(bundle.path), "--images", str(few_images), "--out", str(tmp_path / "v")])
    assert res.exit_code == 0, f"{res.output}\n{res.exception!r}"
    record = json.loads((tmp_path / "v" / "verify.json").read_text())
    assert record["passed"] and record["end_to_end"]["text_agreement"] == 1.0 and record["end_to_end"]["lines"] >= 4


@needs_arm
def test_a_newer_familys_paddle_lite_bundle_agrees_with_the_host_on_arm(family_set, few_images, emulated_root_dir,
                                                                       tmp_path, monkeypatch) -> None:
    from edgeocr.convert.bundle import convert_bundle
    from edgeocr.targets import load_target

    monkeypatch.setenv("EDGEOCR_EMULATED_ROOT", str(emulated_root_dir))
    bundle = convert_bundle(family_set("ppocrv4"), load_target("armlinux-aarch64"), tmp_path / "v4").path
    res = CliRunner().invoke(cli, ["verify", str(bundle), "--images", str(few_images), "--out", str(tmp_path / "v")])
    assert res.exit_code == 0, f"{res.output}\n{res.exception!r}"
    assert json.loads((tmp_path / "v" / "verify.json").read_text())["end_to_end"]["text_agreement"] == 1.0
