"""Read what an ONNX model says about itself, without running it: opset, producer, node
types, and which compute nodes are int8.

A quantized model here is a QDQ graph: each int8 compute node (Conv, MatMul, Gemm, ...)
reads its activation and its weight through ``DequantizeLinear`` nodes, and ONNX Runtime
fuses such a unit into an int8 kernel (``QLinearConv``, ``QLinearMatMul``...). A compute
node with a float input is a float kernel, so counting the two kinds says how much of the
model really runs in int8, the ONNX counterpart of the ``.nb`` kernel keys.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from edgeocr.errors import ModelError

#: Nodes that carry the model's arithmetic (and so have an int8 or a float kernel).
COMPUTE_OPS = {"Conv", "ConvTranspose", "MatMul", "Gemm", "LSTM", "GRU", "RNN",
               "QLinearConv", "QLinearMatMul", "ConvInteger", "MatMulInteger"}
INT8_KERNEL_OPS = {"QLinearConv", "QLinearMatMul", "ConvInteger", "MatMulInteger"}
QDQ_OPS = {"QuantizeLinear", "DequantizeLinear"}


@dataclass(frozen=True)
class OnnxInfo:
    path: str
    size_bytes: int
    converter_version: str      # producer (e.g. "PaddlePaddle 1.3.1" from paddle2onnx)
    opset: int
    ops: Counter                # node type -> count
    int8_nodes: int             # compute nodes fed through DequantizeLinear (or int8 kernels already)
    float_nodes: int
    target = "any"              # ONNX is CPU-independent: the runtime picks kernels on the device

    def precision_counts(self) -> dict[str, int]:
        out = {"float": self.float_nodes, "int8": self.int8_nodes}
        return {k: v for k, v in out.items() if v}

    def to_json(self) -> dict:
        return {"path": self.path, "size_bytes": self.size_bytes, "converter_version": self.converter_version,
                "target": self.target, "opset": self.opset, "ops": dict(sorted(self.ops.items())),
                "kernel_precisions": self.precision_counts()}


def _is_int8_node(node, producers: dict[str, str]) -> bool:
    if node.op_type in INT8_KERNEL_OPS:
        return True
    inputs = [i for i in node.input[:2] if i]  # data and weight; a bias may stay int32/float
    return bool(inputs) and all(producers.get(i) == "DequantizeLinear" for i in inputs)


def read_onnx(path: str | os.PathLike) -> OnnxInfo:
    """Parse an ONNX file; anything that is not one is a ``ModelError`` naming the file."""
    import onnx

    p = Path(path)
    try:
        model = onnx.load(str(p), load_external_data=False)
    except FileNotFoundError:
        raise ModelError(f"{p}: no such ONNX model") from None
    except Exception as e:  # onnx raises DecodeError and friends for damaged files
        raise ModelError(f"{p}: not an ONNX model ({type(e).__name__}: {e})") from None
    graph = model.graph
    if not graph.node:
        raise ModelError(f"{p}: not an ONNX model (no graph nodes; truncated file?)")
    producers = {out: n.op_type for n in graph.node for out in n.output}
    compute = [n for n in graph.node if n.op_type in COMPUTE_OPS]
    int8 = sum(_is_int8_node(n, producers) for n in compute)
    opset = max((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), default=0)
    return OnnxInfo(path=str(p), size_bytes=p.stat().st_size,
                    converter_version=f"{model.producer_name} {model.producer_version}".strip(), opset=opset,
                    ops=Counter(n.op_type for n in graph.node), int8_nodes=int8, float_nodes=len(compute) - int8)
