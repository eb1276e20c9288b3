"""Classification head of the direction classifier: global average pool -> linear -> softmax."""

from __future__ import annotations

import math

import paddle
import paddle.nn.functional as F
from paddle import nn


class ClsHead(nn.Layer):
    def __init__(self, in_channels: int, class_dim: int = 2) -> None:
        super().__init__()
        self.pool = nn.AdaptiveAvgPool2D(1)
        stdv = 1.0 / math.sqrt(in_channels * 1.0)
        self.fc = nn.Linear(in_channels, class_dim,
                            weight_attr=paddle.ParamAttr(initializer=nn.initializer.Uniform(-stdv, stdv)))

    def forward(self, x: paddle.Tensor) -> paddle.Tensor:
        # reshape, not flatten: Paddle-Lite's x86 converter crashes on flatten ops.
        logits = self.fc(paddle.reshape(self.pool(x), [0, -1]))
        return logits if self.training else F.softmax(logits, axis=1)
