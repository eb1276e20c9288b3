"""CTC head: linear layers to per-step class scores, two (``mid_channels`` 96, PP-OCRv2) or one
(``mid_channels=None``, PP-OCRv3/v4); softmax is applied at inference so exported models
output probabilities."""

from __future__ import annotations

import paddle
import paddle.nn.functional as F
from paddle import nn


class CTCHead(nn.Layer):
    def __init__(self, in_channels: int, out_channels: int, mid_channels: int | None = 96) -> None:
        super().__init__()
        self.out_channels = out_channels
        if mid_channels is None:
            self.fc = nn.Linear(in_channels, out_channels)
        else:
            self.fc1 = nn.Linear(in_channels, mid_channels)
            self.fc2 = nn.Linear(mid_channels, out_channels)
        self.mid_channels = mid_channels

    def forward(self, x: paddle.Tensor) -> paddle.Tensor:
        logits = self.fc(x) if self.mid_channels is None else self.fc2(self.fc1(x))
        return logits if self.training else F.softmax(logits, axis=2)
