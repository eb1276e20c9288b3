"""What one OCR run returns: text lines with boxes and scores, plus where the time went."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

#: Stages timed by ``TextSystem``, in pipeline order. ``det_post`` includes cutting out the
#: line crops; ``total`` is the wall time of the whole call.
STAGES = ("det_pre", "det_infer", "det_post", "cls", "rec", "total")


@dataclass
class OCRLine:
    """One recognised line: its box (4 ``[x, y]`` points, clockwise from top-left), text and score."""

    box: list[list[float]]
    text: str
    score: float

    @classmethod
    def from_box(cls, box: np.ndarray, text: str, score: float) -> "OCRLine":
        return cls(box=[[float(x), float(y)] for x, y in box], text=text, score=float(score))

    def to_json(self) -> dict[str, Any]:
        return {"box": self.box, "text": self.text, "score": round(self.score, 6)}


@dataclass
class OCRResult:
    """Lines in reading order and per-stage wall time in milliseconds."""

    lines: list[OCRLine] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STAGES, 0.0))

    @property
    def texts(self) -> list[str]:
        return [line.text for line in self.lines]

    def to_json(self) -> dict[str, Any]:
        return {
            "lines": [line.to_json() for line in self.lines],
            "timings_ms": {k: round(v, 3) for k, v in self.timings_ms.items()},
        }
