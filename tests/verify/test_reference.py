"""The host reference of a device run: the same models, on the host backend that runs them as
the device does where there is one (ONNX Runtime), else their source models on Paddle Inference."""

from __future__ import annotations

from edgeocr.bundle import Bundle
from edgeocr.models.modelset import ModelSet
from edgeocr.verify.reference import host_reference, reference_models


def test_onnxruntime_bundles_are_their_own_reference(ort_armlinux_bundle, tmp_path) -> None:
    bundle = Bundle.load(ort_armlinux_bundle)
    backend, models = reference_models(bundle)
    assert backend == "onnx" and models is bundle


def test_paddle_lite_bundles_are_held_to_their_source_models(arm_bundle, pulled_models) -> None:
    backend, models = reference_models(Bundle.load(arm_bundle))
    assert backend == "paddle" and isinstance(models, ModelSet)
    assert models.location("rec") == pulled_models.location("rec")


def test_the_reference_run_says_which_runtime_made_it(ort_armlinux_bundle, tmp_path) -> None:
    from tests.conftest import render_page
    import cv2

    cv2.imwrite(str(tmp_path / "p.png"), render_page([("Hello World 2024", (20, 60), 36)], size=(480, 160)))
    run = host_reference(Bundle.load(ort_armlinux_bundle), {"p.png": tmp_path / "p.png"}, "det_cls_rec")
    assert run["backend"] == "onnx" and run["runtime_version"] == Bundle.load(ort_armlinux_bundle).runtime_version
    assert [line["text"] for line in run["images"][0]["lines"]] == ["Hello World 2024"]
