"""ONNX Runtime bundles: exported models equal Paddle Inference on real text images (float),
int8 QDQ exports within the documented bound, weights stored int8 exactly, and every bad
input named before anything is written."""

from __future__ import annotations

import json
import shutil

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from click.testing import CliRunner

from edgeocr.bundle import Bundle
from edgeocr.cli.main import cli
from edgeocr.compress import job
from edgeocr.convert.bundle import convert_bundle
from edgeocr.convert.runtimes import ConversionError
from edgeocr.convert.runtimes.onnx_weights import fold_weight_quantization
from edgeocr.convert.runtimes.onnxfile import read_onnx
from edgeocr.errors import ModelError
from edgeocr.models.charset import load_charset
from edgeocr.models.modelset import ModelSet
from edgeocr.ocr.backends import create_backend
from edgeocr.ocr.backends.base import RuntimeMismatch
from edgeocr.ocr.backends.recording import Recording, RecordingBackend
from edgeocr.ocr.system import TextSystem
from edgeocr.targets import load_target
from edgeocr.verify.outputs import compare_outputs
from tests.compress.conftest import small
from tests.conftest import render_line, render_page

# Largest |ONNX Runtime - Paddle Inference| on the same inputs (float exports); measured
# rec 3e-6, cls 1e-6, det 4e-6 on these images on an AVX2 host, det 4.7e-4 on an AVX-512/AMX one
# (other kernels, another summation order, through the detector's steep sigmoid); every decision
# must still agree (below).
FLOAT_LIMIT = {"det": 1e-3, "cls": 1e-4, "rec": 1e-4}
PAGES = [
    [("铁艺灯箱 Hello", (40, 60), 40), ("雨果咖啡店 2024", (60, 300), 36), ("OCR on ARM", (300, 400), 28)],
    [("北京市海淀区中关村大街27号", (20, 100), 30), ("Total 128.50", (200, 250), 34)],
]


def _recorded_run(backend, folder, images):
    recording = RecordingBackend(backend, folder)
    system = TextSystem(recording, load_charset(backend.models.dict_path), backend.models.config)
    texts = []
    for i, image in enumerate(images):
        recording.image = f"page{i}"
        texts.append([line.text for line in system(image).lines])
    recording.save("test")
    return texts, Recording.load(folder)


def test_float_bundle_equals_paddle_inference_on_real_text(ort_armlinux_bundle, pulled_models, tmp_path) -> None:
    bundle = Bundle.load(ort_armlinux_bundle)
    assert bundle.runtime == "onnxruntime" and bundle.runtime_version == ort.__version__
    assert sorted(p.name for p in bundle.model_files.values()) == ["cls.onnx", "det.onnx", "rec.onnx"]
    images = [render_page(p) for p in PAGES]
    texts, recording = _recorded_run(create_backend("onnx", bundle, threads=2), tmp_path / "rec", images)
    paddle = create_backend("paddle", pulled_models, threads=2)
    agreement = compare_outputs(recording, paddle.infer, bundle.config, load_charset(bundle.dict_path))
    assert set(agreement) == {"det", "cls", "rec"}
    for task, a in agreement.items():
        assert a.calls > 0 and a.max_abs < FLOAT_LIMIT[task], (task, a.max_abs)
        assert a.decisions_differ == 0, task
    host = TextSystem(paddle, load_charset(bundle.dict_path), bundle.config)
    assert texts == [[line.text for line in host(image).lines] for image in images]
    assert "雨果咖啡店2024" in "".join(texts[0]).replace(" ", "")


@pytest.fixture(scope="module")
def ort_int8(pulled_models, tmp_path_factory):
    """det and rec quantized by ONNX Runtime's static quantization, calibrated on rendered data."""
    from edgeocr.convert.runtimes.onnxruntime import OnnxRuntimeConverter
    from edgeocr.convert.runtimes.ort_quantize import calibration_inputs

    charset = load_charset(pulled_models.dict_path)
    calibration = {t: calibration_inputs(t, "synth", charset, pulled_models.config)[:3] for t in ("det", "rec")}
    out = tmp_path_factory.mktemp("b") / "ort-int8"
    return convert_bundle(pulled_models, load_target("armlinux-aarch64", runtime="onnxruntime"), out,
                          converter=OnnxRuntimeConverter(calibration))


def test_onnxruntime_static_int8_is_qdq_with_int8_weights_within_bounds(ort_int8, ort_armlinux_bundle,
                                                                        pulled_models) -> None:
    for task in ("det", "rec"):
        entry = ort_int8.manifest["models"][task]
        assert entry["quantized"] and entry["kernel_precisions"]["int8"] > 0 and entry["ort_int8_kernels"] > 0
        assert entry["quantization"]["format"] == "QDQ" and entry["quantization"]["float_kept"]["depthwise_convs"] > 0
        assert entry["repairs"][0]["op"] == "QuantizeLinear"
        info = read_onnx(ort_int8.model_file(task))
        assert info.ops.get("QuantizeLinear", 0) < info.ops["DequantizeLinear"]  # weights stored int8
        float_size = Bundle.load(ort_armlinux_bundle).model_file(task).stat().st_size
        assert info.size_bytes < 0.7 * float_size, task
    assert not ort_int8.manifest["models"]["cls"]["quantized"]
    assert "onnxruntime_static_quantization" in ort_int8.manifest["converter"]
    # int8 against the float model on real text lines: the same texts (documented bound: rec
    # line texts may differ on <= 1 line in 3 for a 3-batch calibration; here none do)
    lines = [render_line(t) for t in ("雨果咖啡店", "Hello World 2024", "铁艺灯箱")]
    charset = load_charset(pulled_models.dict_path)
    int8_texts = [t for t, _ in TextSystem(create_backend("onnx", ort_int8), charset).recognize(lines)]
    float_texts = [t for t, _ in TextSystem(create_backend("paddle", pulled_models), charset).recognize(lines)]
    assert sum(a == b for a, b in zip(int8_texts, float_texts)) >= 2 and int8_texts[1] == "Hello World 2024"


def test_storing_int8_weights_is_exact(pulled_models, tmp_path) -> None:
    from edgeocr.convert.runtimes.onnxruntime import export_onnx
    from edgeocr.convert.runtimes.ort_quantize import quantize_static_qdq

    cls_dir = pulled_models.dir("cls")
    exported = export_onnx(cls_dir / "inference.pdmodel", cls_dir / "inference.pdiparams", tmp_path / "c.onnx")
    x = np.random.RandomState(0).uniform(-1, 1, (4, 3, 48, 192)).astype(np.float32)
    quantize_static_qdq(exported, tmp_path / "q.onnx", [x[:2], x[2:]])
    model = onnx.load(str(tmp_path / "q.onnx"))
    repair = fold_weight_quantization(model)
    assert repair and repair["count"] > 5
    onnx.save(model, str(tmp_path / "folded.onnx"))
    # The same function, op for op: without graph optimisations both run the reference QDQ ops. (With
    # them, ORT may fuse one form into int8 kernels and not the other; on CPUs with AVX-512 VNNI/AMX
    # those then differ by far more than rounding, which says nothing about the stored weights.)
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    before, after = (ort.InferenceSession(str(p), options, providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]
                     for p in (tmp_path / "q.onnx", tmp_path / "folded.onnx"))
    assert np.array_equal(before, after)
    assert fold_weight_quantization(model) is None  # nothing left to fold


def test_paddleslim_int8_models_are_refused_with_the_way_out(pulled_models, tmp_path) -> None:
    out = tmp_path / "cls-ptq"
    job.quantize("cls", small("cls", "ptq", steps=1), out)
    models = ModelSet.load("ppocrv2", cls_model=out)
    with pytest.raises(ConversionError, match=r"cls-ptq/inference.pdmodel: a PaddleSlim int8 model.*--ort-quantize cls="):
        convert_bundle(models, load_target("armlinux-aarch64", runtime="onnxruntime"), tmp_path / "b")
    assert not (tmp_path / "b").exists()


def test_unsupported_op_is_named_and_nothing_is_written(tmp_path, odd_model) -> None:
    models = ModelSet.load("ppocrv2", det=odd_model)
    with pytest.raises(ConversionError, match=r"odd/inference.pdmodel: ONNX export cannot convert these ops: determinant"):
        convert_bundle(models, load_target("armlinux-aarch64", runtime="onnxruntime"), tmp_path / "bundle")
    assert not (tmp_path / "bundle").exists()


def test_target_runtime_older_than_the_preflight_is_refused(tmp_path, pulled_models, monkeypatch) -> None:
    target = load_target("armlinux-aarch64", runtime="onnxruntime")
    older = target.with_runtime("onnxruntime")
    object.__setattr__(older, "runtime", type(target.runtime)(**{**target.runtime.__dict__, "version": "1.16.0"}))
    with pytest.raises(ConversionError, match=r"runs ONNX Runtime 1.16.0, older than this host's"):
        convert_bundle(pulled_models, older, tmp_path / "b")
    assert not (tmp_path / "b").exists()


def test_bundle_for_a_newer_or_another_runtime_is_refused(ort_armlinux_bundle, x86_bundle, tmp_path) -> None:
    newer = tmp_path / "newer"
    shutil.copytree(ort_armlinux_bundle, newer)
    manifest = json.loads((newer / "manifest.json").read_text())
    manifest["converter"]["version"] = "9.0.0"
    (newer / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(RuntimeMismatch, match=r"made for ONNX Runtime 9.0.0, this runtime is .*onnxruntime>=9.0.0"):
        create_backend("onnx", Bundle.load(newer))
    with pytest.raises(RuntimeMismatch, match="bundle is for the paddle-lite runtime, not ONNX Runtime"):
        create_backend("onnx", Bundle.load(x86_bundle))
    with pytest.raises(RuntimeMismatch, match="bundle is for the onnxruntime runtime, not Paddle-Lite"):
        create_backend("lite", Bundle.load(ort_armlinux_bundle))


def test_cli_convert_and_inspect_an_onnxruntime_bundle(ort_armlinux_bundle, tmp_path) -> None:
    runner = CliRunner()
    res = runner.invoke(cli, ["inspect", str(ort_armlinux_bundle), "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["target"]["runtime"]["name"] == "onnxruntime" and data["converter"]["tool"] == "paddle2onnx"
    assert data["model_files"]["rec"]["opset"] >= 13 and data["model_files"]["rec"]["target"] == "any"
    res = runner.invoke(cli, ["inspect", str(ort_armlinux_bundle / "det.onnx")])
    assert res.exit_code == 0 and "Conv" in res.output
    broken = tmp_path / "broken.onnx"
    broken.write_bytes(b"not a model")
    res = runner.invoke(cli, ["inspect", str(broken)])
    assert res.exit_code != 0 and isinstance(res.exception, ModelError)
    assert "broken.onnx: not an ONNX model" in str(res.exception)
    res = runner.invoke(cli, ["convert", "--target", "x86_64", "--runtime", "tflite"])
    assert res.exit_code != 0 and "tflite" in res.output


def test_preflight_names_a_node_the_runtime_cannot_run(tmp_path) -> None:
    from onnx import TensorProto, helper

    from edgeocr.convert.runtimes.onnxruntime import preflight

    node = helper.make_node("NoSuchKernel", ["x"], ["y"], name="odd_node", domain="ai.edgeocr.test")
    graph = helper.make_graph([node], "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13), helper.make_opsetid("ai.edgeocr.test", 1)])
    onnx.save(model, str(tmp_path / "m.onnx"))
    with pytest.raises(ConversionError, match=r"m.onnx: ONNX Runtime 1\.\d+\.\d+ cannot run this model: .*NoSuchKernel"):
        preflight(tmp_path / "m.onnx", tmp_path / "opt.onnx")
