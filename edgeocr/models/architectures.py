"""The PP-OCRv2 architectures (PaddleOCR's ``configs/det/ch_PP-OCRv2``, ``configs/rec/ch_PP-OCRv2``
and ``configs/cls/cls_mv3``), and how to build them.

Each entry also records the inference input spec, which the exporter and converters use.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from edgeocr.models.archs.base_model import BaseModel


@dataclass(frozen=True)
class Architecture:
    task: str
    description: str
    config: dict[str, Any]
    input_shape: tuple[int | None, ...]  # N, C, H, W; None = dynamic
    example_shape: tuple[int, ...] = field(default=(1, 3, 32, 320))

    def build(self, **head_overrides: Any) -> BaseModel:
        """A freshly initialised model (``head_overrides`` e.g. ``out_channels`` for another dictionary)."""
        cfg = copy.deepcopy(self.config)
        cfg["Head"].update(head_overrides)
        return BaseModel(cfg)


PPOCRV2 = {
    "det": Architecture(
        task="det",
        description="DB: MobileNetV3 large x0.5 (no SE), DBFPN 96, DBHead k=50",
        config={
            "Backbone": {"name": "MobileNetV3", "model_name": "large", "scale": 0.5, "disable_se": True},
            "Neck": {"name": "DBFPN", "out_channels": 96},
            "Head": {"name": "DBHead", "k": 50},
        },
        input_shape=(None, 3, None, None),
        example_shape=(1, 3, 640, 640),
    ),
    "cls": Architecture(
        task="cls",
        description="direction classifier: MobileNetV3 small x0.35, 2 classes (0/180)",
        config={
            "Backbone": {"name": "LineMobileNetV3", "model_name": "small", "scale": 0.35},
            "Neck": None,
            "Head": {"name": "ClsHead", "class_dim": 2},
        },
        input_shape=(None, 3, 48, 192),
        example_shape=(1, 3, 48, 192),
    ),
    "rec": Architecture(
        task="rec",
        description="CRNN: MobileNetV1Enhance x0.5, BiLSTM hidden 64, CTC head (mid 96)",
        config={
            "Backbone": {"name": "MobileNetV1Enhance", "scale": 0.5},
            "Neck": {"name": "SequenceEncoder", "hidden_size": 64},
            "Head": {"name": "CTCHead", "out_channels": 6625, "mid_channels": 96},
        },
        input_shape=(None, 3, 32, None),
        example_shape=(1, 3, 32, 320),
    ),
}
