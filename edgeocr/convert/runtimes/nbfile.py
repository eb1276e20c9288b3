"""Read what a Paddle-Lite naive-buffer (``.nb``) file says about itself, without running it.

Layout (Paddle-Lite 2.x): a little-endian ``uint16`` meta version (2), a 16-byte
NUL-terminated converter version string (the bytes after the NUL are uninitialised memory,
which is why two conversions of one model differ in a few header bytes), then the
topology and the parameters. Each kernel is stored with a key ``op/alias/target/precision/layout``
(e.g. ``conv2d/def/4/2/1`` = ARM int8): counting those keys tells which target the file was
built for and whether quantization really produced int8 kernels.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from edgeocr.errors import ModelError

TARGETS = {1: "host", 2: "x86", 3: "cuda", 4: "arm", 5: "opencl", 6: "any"}
PRECISIONS = {0: "unk", 1: "float", 2: "int8", 3: "int32", 4: "any", 5: "fp16", 6: "bool", 7: "int64", 8: "int16"}
KERNEL_KEY = re.compile(rb"([a-z][a-z0-9_]*)/([a-z0-9_]+)/(\d)/(\d)/(\d)(?![0-9])")
COMPUTE_TARGETS = {"x86", "arm", "cuda", "opencl"}


@dataclass(frozen=True)
class NbInfo:
    path: str
    size_bytes: int
    converter_version: str
    target: str                 # arm / x86 (the compute kernels' target)
    kernels: Counter            # (op, target, precision) -> count

    @property
    def ops(self) -> list[str]:
        return sorted({op for op, _, _ in self.kernels})

    def precision_counts(self) -> dict[str, int]:
        """Compute kernels by precision, e.g. ``{"float": 40, "int8": 31}``."""
        out: Counter = Counter()
        for (_, target, precision), n in self.kernels.items():
            if target in COMPUTE_TARGETS:
                out[precision] += n
        return dict(out)

    @property
    def int8_kernels(self) -> int:
        return self.precision_counts().get("int8", 0)

    def to_json(self) -> dict:
        return {"path": self.path, "size_bytes": self.size_bytes, "converter_version": self.converter_version,
                "target": self.target, "ops": self.ops, "kernel_precisions": self.precision_counts(),
                "kernels": [{"op": op, "target": t, "precision": p, "count": n}
                            for (op, t, p), n in sorted(self.kernels.items())]}


def read_nb(path: str | os.PathLike) -> NbInfo:
    """Parse header and kernel keys; anything that is not a Paddle-Lite file is a ``ModelError``."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as e:
        raise ModelError(f"{p}: cannot read ({e.strerror})") from e
    if len(data) < 64 or int.from_bytes(data[:2], "little") != 2:
        raise ModelError(f"{p}: not a Paddle-Lite naive-buffer (.nb) file (bad header)")
    version = data[2:18].split(b"\0", 1)[0]
    if not re.fullmatch(rb"v?\d+\.\d+[\w.\-]*", version):
        raise ModelError(f"{p}: not a Paddle-Lite naive-buffer (.nb) file (no converter version)")
    kernels: Counter = Counter()
    for m in KERNEL_KEY.finditer(data):
        op, _, target, precision, _ = m.groups()
        kernels[(op.decode(), TARGETS.get(int(target), f"t{int(target)}"),
                 PRECISIONS.get(int(precision), f"p{int(precision)}"))] += 1
    compute = Counter()
    for (_, t, _), n in kernels.items():
        if t in COMPUTE_TARGETS:
            compute[t] += n
    if not compute:
        raise ModelError(f"{p}: Paddle-Lite header but no kernels found (truncated file?)")
    return NbInfo(path=str(p), size_bytes=len(data), converter_version=version.decode(),
                  target=compute.most_common(1)[0][0], kernels=kernels)
