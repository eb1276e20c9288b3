"""Activation quantizers that no int8 kernel reads, and their removal from exported int8 models.

PaddleSlim's exports (QAT and PTQ, ``onnx_format``) put a ``quantize_linear`` ->
``dequantize_linear`` pair not only on the inputs of the quantized convs and matmuls but also
on their outputs, where the next op is a float one (batch norm, activation, pooling, add):
there they only record an output scale. Paddle Inference on the host executes every pair, so
it rounds those outputs to 8 bits; Paddle-Lite's ``opt`` deletes each pair and rounds only
where the reading op runs an int8 kernel (``QuantDequantLinearOpFuser``: conv, depthwise conv,
conv transpose, mul/matmul whose weights are quantized). The host model then computes
something the device never does, and the training never did (the output scales are observed,
not applied, during QAT).

Measured on the shipped rec PACT model: host vs Paddle-Lite ARM, 117 of 126 lines read alike;
with these pairs removed from the host program, 126 of 126, and the first conv output agrees
to 1e-5 instead of 2.8. ``edgeocr quantize`` therefore removes them at export, so the int8
model evaluated on the host is the one the device runs; ``convert`` names any left in a user's
own int8 model.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass

from paddle.base.proto import framework_pb2

from edgeocr.models.program import read_program, write_program

# Op types Paddle-Lite gives an int8 kernel when their input comes through a quantizer and
# their weights through dequantize_linear (lite/core/optimizer/mir/fusion/quant_dequant_op_fuser.h).
INT8_READERS = frozenset({"conv2d", "depthwise_conv2d", "conv2d_transpose", "depthwise_conv2d_transpose",
                          "mul", "matmul", "matmul_v2"})


@dataclass(frozen=True)
class UnreadQuantizer:
    """One activation quantizer pair and the float ops that read its rounded output."""

    activation: str
    readers: tuple[str, ...]
    removed: bool  # no int8 op reads it either, so the pair itself goes


def _arguments(vars_) -> list[str]:
    return [a for v in vars_ for a in v.arguments]


def _reads_int8(op: framework_pb2.OpDesc, produced: set[str], persistable: set[str]) -> bool:
    """Whether ``op`` gets an int8 kernel: an int8-capable type with no raw (unquantized) weight."""
    if op.type not in INT8_READERS:
        return False
    return not any(a in persistable and a not in produced for a in _arguments(op.inputs))


def _rewire(block: framework_pb2.BlockDesc, drop: bool) -> list[UnreadQuantizer]:
    persistable = {v.name for v in block.vars if v.persistable}
    produced = {a for op in block.ops for a in _arguments(op.outputs)}
    readers: dict[str, list[int]] = {}
    for i, op in enumerate(block.ops):
        for a in _arguments(op.inputs):
            readers.setdefault(a, []).append(i)
    found, gone = [], set()
    for qi, quant in enumerate(block.ops):
        if quant.type != "quantize_linear":
            continue
        source = next(v.arguments[0] for v in quant.inputs if v.parameter == "X")
        if source in persistable:
            continue  # a weight quantizer
        rounded = next(v.arguments[0] for v in quant.outputs if v.parameter == "Y")
        for di in readers.get(rounded, []):
            dequant = block.ops[di]
            if dequant.type != "dequantize_linear":
                continue
            out = next(v.arguments[0] for v in dequant.outputs if v.parameter == "Y")
            users = [block.ops[u] for u in readers.get(out, [])]
            floats = [u for u in users if not _reads_int8(u, produced, persistable)]
            if not floats:
                continue
            removed = len(floats) == len(users)
            found.append(UnreadQuantizer(source, tuple(u.type for u in floats), removed))
            if not drop:
                continue
            for user in floats:
                for var in user.inputs:
                    var.arguments[:] = [source if a == out else a for a in var.arguments]
            if removed:
                gone.add(di)
                if all(r == di for r in readers.get(rounded, [])):
                    gone.add(qi)
    for i in sorted(gone, reverse=True):
        del block.ops[i]
    return found


def unread_quantizers(desc: framework_pb2.ProgramDesc) -> list[UnreadQuantizer]:
    """Activation quantizers whose rounding some reader applies on the host but not on the device."""
    return [q for block in desc.blocks for q in _rewire(block, drop=False)]


def drop_unread_quantizers(desc: framework_pb2.ProgramDesc) -> list[UnreadQuantizer]:
    """Let every float reader read the unrounded activation, and delete pairs nobody reads
    any more; in place. The scale variables stay declared (the parameter file lists them)."""
    return [q for block in desc.blocks for q in _rewire(block, drop=True)]


def summary(found: list[UnreadQuantizer]) -> dict:
    """For reports: how many, how many pairs went entirely, and the float op types reading them."""
    return {"count": len(found), "removed_pairs": sum(q.removed for q in found),
            "float_readers": dict(sorted(Counter(r for q in found for r in q.readers).items()))}


def drop_unread_quantizers_in(pdmodel: str | os.PathLike) -> list[UnreadQuantizer]:
    """``drop_unread_quantizers`` on the program file ``pdmodel`` (rewritten atomically when changed)."""
    desc = read_program(pdmodel)
    dropped = drop_unread_quantizers(desc)
    if dropped:
        write_program(desc, pdmodel)
    return dropped
