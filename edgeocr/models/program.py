"""Paddle inference programs (``.pdmodel`` = a ``ProgramDesc`` protobuf): read, write, inspect.

Read as protobuf, not through ``paddle.static``: inspecting or repairing a program must not
load its weights or switch Paddle into static mode.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

from paddle.base.proto import framework_pb2

from edgeocr.errors import ModelError
from edgeocr.utils.atomic import atomic_path


def read_program(path: str | os.PathLike) -> framework_pb2.ProgramDesc:
    """Parse a ``.pdmodel``; a missing, empty or corrupt file is a ``ModelError`` naming it."""
    p = Path(path)
    if not p.is_file() or p.stat().st_size == 0:
        raise ModelError(f"{p}: inference model file is missing or empty")
    desc = framework_pb2.ProgramDesc()
    try:
        desc.ParseFromString(p.read_bytes())
    except Exception as e:  # protobuf DecodeError and friends
        raise ModelError(f"{p}: not a Paddle inference program ({type(e).__name__})") from e
    if not desc.blocks or not desc.blocks[0].ops:
        raise ModelError(f"{p}: not a Paddle inference program (no operators)")
    return desc


def op_counts(desc: framework_pb2.ProgramDesc) -> Counter:
    """Operator types and how often they occur (feed/fetch included)."""
    return Counter(op.type for block in desc.blocks for op in block.ops)


def is_quantized(desc: framework_pb2.ProgramDesc) -> bool:
    """Whether the program carries quantization ops (PaddleSlim QAT/PTQ exports)."""
    return any("quantize" in t for t in op_counts(desc))


def write_program(desc: framework_pb2.ProgramDesc, path: str | os.PathLike) -> None:
    """Write ``desc`` to ``path`` atomically (a reader never sees half a program)."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(desc.SerializeToString())


def feed_shapes(desc: framework_pb2.ProgramDesc) -> dict[str, tuple[int | None, ...]]:
    """Declared shape of each fed input, in feed order (``None`` where the dimension is dynamic)."""
    block = desc.blocks[0]
    dims = {v.name: tuple(int(d) if d >= 0 else None for d in v.type.lod_tensor.tensor.dims) for v in block.vars}
    feeds = sorted((op for op in block.ops if op.type == "feed"),
                   key=lambda op: next((a.i for a in op.attrs if a.name == "col"), 0))
    names = [op.outputs[0].arguments[0] for op in feeds]
    return {n: dims.get(n, ()) for n in names}


def program_params(path: str | os.PathLike) -> int:
    """Parameters an inference program holds (its persistable tensors but feed/fetch), read from
    the declared shapes: for models without a trainable architecture here."""
    desc = read_program(path)
    total = 0
    for v in desc.blocks[0].vars:
        dims = v.type.lod_tensor.tensor.dims
        if v.persistable and v.name not in ("feed", "fetch") and dims and all(d > 0 for d in dims):
            n = 1
            for d in dims:
                n *= int(d)
            total += n
    return total
