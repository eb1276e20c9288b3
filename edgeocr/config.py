"""Knobs of the OCR pipeline, defaulting to PaddleOCR 2.x ``tools/infer`` for PP-OCRv2.

One frozen dataclass instead of scattered constants, so a run's settings can be
reported and two runs compared knob for knob.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class OCRConfig:
    """PaddleOCR's ``utility.parse_args`` defaults for the PP-OCRv2 det/cls/rec system."""

    # detection: DetResizeForTest + DBPostProcess
    det_limit_side_len: int = 960
    det_limit_type: str = "max"  # "max": shrink so the long side fits; "min": grow so the short side does
    det_db_thresh: float = 0.3
    det_db_box_thresh: float = 0.6
    det_db_unclip_ratio: float = 1.5
    det_db_max_candidates: int = 1000
    det_db_score_mode: str = "fast"  # "fast": mean over the box; "slow": mean over the contour
    use_dilation: bool = False
    # direction classifier
    cls_image_shape: tuple[int, int, int] = (3, 48, 192)
    cls_batch_num: int = 6
    cls_thresh: float = 0.9
    # recognizer
    rec_image_shape: tuple[int, int, int] = (3, 32, 320)
    rec_batch_num: int = 6
    # system
    drop_score: float = 0.5

    def __post_init__(self) -> None:
        if self.det_limit_type not in ("max", "min"):
            raise ValueError(f"det_limit_type must be 'max' or 'min', not {self.det_limit_type!r}")
        if self.det_db_score_mode not in ("fast", "slow"):
            raise ValueError(f"det_db_score_mode must be 'fast' or 'slow', not {self.det_db_score_mode!r}")

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, saved: dict[str, Any]) -> "OCRConfig":
        """Settings as ``to_json`` wrote them (JSON lists back to tuples); unknown keys are an error."""
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in saved.items()})
