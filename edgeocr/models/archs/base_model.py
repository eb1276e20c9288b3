"""``BaseModel``: backbone -> neck -> head, built from a config dict as PaddleOCR does."""

from __future__ import annotations

from typing import Any

import paddle
from paddle import nn

from edgeocr.models.archs.backbones import BACKBONES
from edgeocr.models.archs.heads import HEADS
from edgeocr.models.archs.necks import NECKS


def _build(registry: dict[str, type], cfg: dict[str, Any], **extra: Any) -> nn.Layer:
    cfg = dict(cfg)
    name = cfg.pop("name")
    if name not in registry:
        raise ValueError(f"unknown layer {name!r}; known: {', '.join(sorted(registry))}")
    return registry[name](**extra, **cfg)


class BaseModel(nn.Layer):
    """``config`` = ``{"Backbone": {...}, "Neck": {...} | None, "Head": {...}}`` with ``name`` keys."""

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__()
        self.config = config
        self.backbone = _build(BACKBONES, config["Backbone"])
        channels = self.backbone.out_channels
        self.neck = None
        if config.get("Neck"):
            self.neck = _build(NECKS, config["Neck"], in_channels=channels)
            channels = self.neck.out_channels
        self.head = _build(HEADS, config["Head"], in_channels=channels)

    def forward(self, x: paddle.Tensor) -> paddle.Tensor:
        x = self.backbone(x)
        if self.neck is not None:
            x = self.neck(x)
        return self.head(x)
