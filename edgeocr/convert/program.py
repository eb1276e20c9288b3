"""Checks and repairs of Paddle inference programs that Paddle-Lite's ``opt`` needs and does not do.

The fill_constant repair exists because Paddle >= 2.5 writes scalar ``fill_constant`` ops with an empty
``shape`` (the BiLSTM's zero initial state of PP-OCRv2 rec is built from them). ``opt``
converts such a model without complaint, but the Paddle-Lite predictor then aborts at run
time (``fill_constant_op.cc: no valid out_shape``), on ARM as on x86. Giving those ops
``shape=[1]`` is exactly what older Paddle wrote, and the converted model then matches.

The swish repair exists because Paddle 2.6 programs written by PaddleSlim's PTQ (PP-OCRv3/v4
rec) carry ``swish`` ops without the ``beta`` attribute released models have (Paddle 2.6's
swish is ``x * sigmoid(x)``, beta 1): ``opt`` aborts on them (``No attributes called beta
found for swish``). Adding ``beta=1.0`` states what the op computes, so the repair is exact.

The XShape repair exists because the same programs lose the ``XShape`` outputs of their shape
ops (``transpose2``, ``reshape2``, ``flatten_contiguous_range``): ``opt`` then crashes
(segmentation fault, measured on PP-OCRv4 rec re-saved by Paddle 2.6, int8 or not). XShape is
read only by backward passes; adding the variable back changes nothing that runs.
"""

from __future__ import annotations

from dataclasses import dataclass

from paddle.base.proto import framework_pb2

SHAPE_INPUTS = ("ShapeTensor", "ShapeTensorList")
LONGS, INTS, FLOAT = 11, 3, 1  # framework.proto AttrType values


FC_OPS = ("matmul_v2", "matmul", "mul")


def _dims(block: framework_pb2.BlockDesc) -> dict[str, list[int]]:
    return {v.name: list(v.type.lod_tensor.tensor.dims) for v in block.vars if v.type.HasField("lod_tensor")}


def int8_fc_with_a_row_per_image(desc: framework_pb2.ProgramDesc) -> list[str]:
    """Int8 fully connected ops (``matmul_v2``/``matmul``/``mul`` whose input and weight both
    come through quantization ops, as ``opt`` then gives them an int8 ``fc`` kernel) whose rows
    are the batch alone: their input is ``[N, K]``, so the row count follows the batch and is 1
    whenever one image (one crop) is run. Named by their weight."""
    found = []
    for block in desc.blocks:
        producer = {name: op.type for op in block.ops for var in op.outputs for name in var.arguments}
        dims = _dims(block)
        for op in block.ops:
            if op.type not in FC_OPS:
                continue
            args = {var.parameter: list(var.arguments) for var in op.inputs}
            x, y = (args.get("X") or [None])[0], (args.get("Y") or [None])[0]
            if x is None or not all("quantize" in producer.get(v, "") for v in (x, y)):
                continue
            if op.type == "mul":
                cols = next((a.i for a in op.attrs if a.name == "x_num_col_dims"), 1)
                rows = dims.get(x, [])[:cols]
            else:
                rows = dims.get(x, [])[:-1]
            if rows == [-1]:
                found.append(y.split(".quantized")[0])
    return found


@dataclass(frozen=True)
class Repair:
    op: str
    count: int
    why: str

    def to_json(self) -> dict:
        return {"op": self.op, "count": self.count, "why": self.why}


def repair_scalar_fill_constant(desc: framework_pb2.ProgramDesc) -> Repair | None:
    """Give shape-less scalar ``fill_constant`` ops ``shape=[1]``; in place. None if nothing to do."""
    fixed = 0
    for block in desc.blocks:
        for op in block.ops:
            if op.type != "fill_constant":
                continue
            if any(var.arguments for var in op.inputs if var.parameter in SHAPE_INPUTS):
                continue  # shape comes from tensors at run time
            for attr in op.attrs:
                if attr.name == "shape" and not attr.ints and not attr.longs:
                    (attr.longs if attr.type == LONGS else attr.ints).append(1)
                    fixed += 1
    if not fixed:
        return None
    return Repair("fill_constant", fixed, "scalar fill_constant with empty shape aborts the Paddle-Lite "
                  "predictor (no valid out_shape); set shape=[1]")


def repair_swish_beta(desc: framework_pb2.ProgramDesc) -> Repair | None:
    """Give ``swish`` ops without ``beta`` the ``beta=1.0`` they compute with; in place. None if nothing to do."""
    fixed = 0
    for block in desc.blocks:
        for op in block.ops:
            if op.type == "swish" and not any(a.name == "beta" for a in op.attrs):
                attr = op.attrs.add()
                attr.name, attr.type, attr.f = "beta", FLOAT, 1.0
                fixed += 1
    if not fixed:
        return None
    return Repair("swish", fixed, "swish without its beta attribute (as Paddle 2.6 / PaddleSlim write it) aborts "
                  "paddle_lite_opt; set beta=1.0, what Paddle's swish computes")


XSHAPE_OPS = ("transpose2", "reshape2", "flatten_contiguous_range", "squeeze2", "unsqueeze2")


def repair_missing_xshape(desc: framework_pb2.ProgramDesc) -> Repair | None:
    """Give shape ops without their ``XShape`` output (as Paddle 2.6 writes them) one: a
    variable of shape ``[0, *input]``, which only backward passes read; in place."""
    fixed = 0
    for block in desc.blocks:
        dims = _dims(block)
        for op in block.ops:
            if op.type not in XSHAPE_OPS or any(v.parameter == "XShape" for v in op.outputs):
                continue
            source = next(v.arguments[0] for v in op.inputs if v.parameter == "X")
            out = next(v.arguments[0] for v in op.outputs if v.parameter == "Out")
            var = block.vars.add()
            var.name = f"{out}.xshape"
            var.type.type = framework_pb2.VarType.LOD_TENSOR
            var.type.lod_tensor.tensor.data_type = framework_pb2.VarType.FP32
            var.type.lod_tensor.tensor.dims.extend([0, *dims.get(source, [])])
            shape = op.outputs.add()
            shape.parameter, shape.arguments[:] = "XShape", [var.name]
            fixed += 1
    if not fixed:
        return None
    return Repair("XShape", fixed, "shape ops without their XShape output (as Paddle 2.6 writes them) crash "
                  "paddle_lite_opt on PP-OCRv3/v4 rec; added (read by backward passes only)")


REPAIRS = (repair_scalar_fill_constant, repair_swish_beta, repair_missing_xshape)
