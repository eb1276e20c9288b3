"""DB head: shrink (probability) map, plus in training the threshold map and the
differentiable binarisation that DB loss needs. Inference exports only the shrink map."""

from __future__ import annotations

import math

import paddle
import paddle.nn.functional as F
from paddle import nn


def _bias_attr(channels: int) -> paddle.ParamAttr:
    stdv = 1.0 / math.sqrt(channels * 1.0)
    return paddle.ParamAttr(initializer=nn.initializer.Uniform(-stdv, stdv))


class Head(nn.Layer):
    """3x3 conv -> BN-ReLU -> 2x up (transposed) -> BN-ReLU -> 2x up to one channel -> sigmoid."""

    def __init__(self, in_channels: int) -> None:
        super().__init__()
        mid = in_channels // 4
        kaiming = paddle.ParamAttr(initializer=nn.initializer.KaimingUniform())
        self.conv1 = nn.Conv2D(in_channels, mid, 3, padding=1, bias_attr=False)
        self.conv_bn1 = nn.BatchNorm(mid, param_attr=paddle.ParamAttr(initializer=nn.initializer.Constant(1.0)),
                                     bias_attr=paddle.ParamAttr(initializer=nn.initializer.Constant(1e-4)), act="relu")
        self.conv2 = nn.Conv2DTranspose(mid, mid, 2, stride=2, weight_attr=kaiming, bias_attr=_bias_attr(mid))
        self.conv_bn2 = nn.BatchNorm(mid, param_attr=paddle.ParamAttr(initializer=nn.initializer.Constant(1.0)),
                                     bias_attr=paddle.ParamAttr(initializer=nn.initializer.Constant(1e-4)), act="relu")
        self.conv3 = nn.Conv2DTranspose(mid, 1, 2, stride=2, weight_attr=kaiming, bias_attr=_bias_attr(mid))

    def forward(self, x: paddle.Tensor) -> paddle.Tensor:
        x = self.conv_bn1(self.conv1(x))
        x = self.conv_bn2(self.conv2(x))
        return F.sigmoid(self.conv3(x))


class DBHead(nn.Layer):
    """Eval: ``[N, 1, H, W]`` shrink map. Train: ``[N, 3, H, W]`` (shrink, threshold, binary)."""

    def __init__(self, in_channels: int, k: int = 50) -> None:
        super().__init__()
        self.k = k
        self.binarize = Head(in_channels)
        self.thresh = Head(in_channels)
        # Fine-tuning a deployed model (QAT, pruning) trains only what inference runs.
        self.train_threshold = True

    def forward(self, x: paddle.Tensor) -> paddle.Tensor:
        shrink = self.binarize(x)
        if not self.training or not self.train_threshold:
            return shrink
        thresh = self.thresh(x)
        binary = paddle.reciprocal(1 + paddle.exp(-self.k * (shrink - thresh)))
        return paddle.concat([shrink, thresh, binary], axis=1)
