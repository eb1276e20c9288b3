"""ONNX Runtime's own post-training quantization of an exported float model: static, QDQ,
per-channel int8 weights, activation ranges calibrated on real pre-processed inputs.

It is the baseline an int8 ONNX Runtime bundle is judged against, made by the runtime's
own tool rather than by translating PaddleSlim's int8 programs. As in the shipped PaddleSlim
PTQ recipes, depthwise convolutions stay float (int8 depthwise rounding alone collapses rec
accuracy before any training), and so do the LSTM and everything but Conv/MatMul.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np

from edgeocr.config import OCRConfig
from edgeocr.convert.runtimes.base import ConversionError
from edgeocr.models.charset import Charset

OP_TYPES = ("Conv", "MatMul")


def calibration_inputs(task: str, labels: str, charset: Charset, config: OCRConfig) -> list[np.ndarray]:
    """Calibration batches for ``task`` from a PaddleOCR label file (rec labels for rec/cls,
    det labels for det) or ``synth``, drawn exactly as the shipped PaddleSlim PTQ recipe draws
    its own (``quant/<task>_ptq.yml``: batch count, batch size, det input size), so the two
    post-training quantizations see the same kind of inputs; lines at the height of the model
    family's settings ``config``."""
    from edgeocr.compress.data import load_task_data, resolve_labels
    from edgeocr.compress.quantize import calibration_batches
    from edgeocr.compress.recipe import load_recipe

    recipe = load_recipe(model=task, method="ptq")
    path = resolve_labels(labels, task, recipe.data.train_count, recipe.data.train_seed)
    data = load_task_data(task, path, charset)
    return calibration_batches(task, data, charset, recipe.quant.ptq_batches, recipe.train.batch_size,
                               recipe.train.det_input_size, config.rec_image_shape)


def depthwise_convs(model) -> list[str]:
    """Names of the grouped (depthwise) Conv nodes of an ONNX model."""
    out = []
    for node in model.graph.node:
        group = next((a.i for a in node.attribute if a.name == "group"), 1)
        if node.op_type == "Conv" and group > 1:
            out.append(node.name)
    return out


def quantize_static_qdq(src: Path, dst: Path, batches: Sequence[np.ndarray]) -> dict:
    """Quantize ``src`` into ``dst``; return what was done, for the bundle manifest."""
    import onnx
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static

    if not batches:
        raise ConversionError(f"{src}: no calibration inputs for ONNX Runtime's static quantization")
    model = onnx.load(str(src))
    input_name = model.graph.input[0].name
    excluded = depthwise_convs(model)
    unnamed = [n for n in model.graph.node if n.op_type in OP_TYPES and not n.name]
    if unnamed:
        raise ConversionError(f"{src}: {len(unnamed)} unnamed Conv/MatMul nodes; cannot tell depthwise ones apart")

    class Reader(CalibrationDataReader):
        def __init__(self) -> None:
            self._feeds = iter({input_name: np.ascontiguousarray(b, dtype=np.float32)} for b in batches)

        def get_next(self):
            return next(self._feeds, None)

    try:
        quantize_static(str(src), str(dst), Reader(), quant_format=QuantFormat.QDQ, per_channel=True,
                        activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
                        op_types_to_quantize=list(OP_TYPES), nodes_to_exclude=excluded)
    except Exception as e:  # onnxruntime.quantization raises plain errors from deep inside
        raise ConversionError(f"{src}: ONNX Runtime static quantization failed ({type(e).__name__}: {e})") from None
    return {"method": "onnxruntime.quantization.quantize_static", "format": "QDQ", "per_channel": True,
            "activations": "uint8", "weights": "int8", "op_types": list(OP_TYPES),
            "float_kept": {"depthwise_convs": len(excluded)}, "calibration_batches": len(batches),
            "calibration_inputs": int(sum(len(b) for b in batches))}
