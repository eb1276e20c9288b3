"""Store a QDQ model's quantized weights as int8.

``paddle2onnx`` exports each quantized weight as a float constant followed by a
``QuantizeLinear`` node, so an int8 model is as large as the float one and quantizes its
weights again every time it is loaded. Computing those ``QuantizeLinear`` nodes once, here,
is exact: ONNX defines them as ``saturate(round_half_even(x / scale) + zero_point)`` in
float32, which is what numpy's ``rint`` of a float32 division gives, and ONNX Runtime folds
the very same nodes the same way when it loads the model. What remains is an int8 constant
read through ``DequantizeLinear``, the form ONNX Runtime fuses into int8 kernels.
"""

from __future__ import annotations

import numpy as np

_LIMITS = {np.int8: (-128, 127), np.uint8: (0, 255)}


def _constants(graph) -> dict[str, np.ndarray]:
    from onnx import numpy_helper

    out = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    for node in graph.node:
        if node.op_type == "Constant" and node.attribute and node.attribute[0].name == "value":
            out[node.output[0]] = numpy_helper.to_array(node.attribute[0].t)
    return out


def _quantize(x: np.ndarray, scale: np.ndarray, zero: np.ndarray, axis: int) -> np.ndarray:
    if scale.ndim == 1 and scale.size > 1:  # per channel along ``axis``
        shape = [1] * x.ndim
        shape[axis] = scale.size
        scale, zero = scale.reshape(shape), zero.reshape(shape)
    lo, hi = _LIMITS[zero.dtype.type]
    q = np.rint(x.astype(np.float32) / scale.astype(np.float32)) + zero.astype(np.float32)
    return np.clip(q, lo, hi).astype(zero.dtype)


def fold_weight_quantization(model) -> dict | None:
    """Replace every ``QuantizeLinear`` of a constant by its int8 result, in place; return a
    repair record (``op``, ``count``, ``why``) or ``None`` when there was nothing to fold."""
    from onnx import helper, numpy_helper

    graph = model.graph
    consts = _constants(graph)
    folded, kept = 0, []
    for node in graph.node:
        inputs = list(node.input) + [""] * (3 - len(node.input))
        x, scale, zero = inputs[:3]
        if node.op_type != "QuantizeLinear" or not zero or not all(i in consts for i in (x, scale, zero)) \
                or consts[zero].dtype.type not in _LIMITS:
            kept.append(node)
            continue
        axis = next((a.i for a in node.attribute if a.name == "axis"), 1)
        q = _quantize(consts[x], consts[scale], consts[zero], axis)
        kept.append(helper.make_node("Constant", [], [node.output[0]], value=numpy_helper.from_array(q)))
        folded += 1
    if not folded:
        return None
    del graph.node[:]
    graph.node.extend(kept)
    used = {i for n in graph.node for i in n.input} | {o.name for o in graph.output}
    live = [n for n in graph.node if n.op_type != "Constant" or n.output[0] in used]
    del graph.node[:]
    graph.node.extend(live)
    return {"op": "QuantizeLinear", "count": folded,
            "why": "quantized weights stored as int8 constants (exact: the same computation the runtime does at load)"}
