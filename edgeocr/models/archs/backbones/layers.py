"""Building blocks shared by the MobileNet backbones (PaddleOCR's ``det_mobilenet_v3`` blocks).

``nn.BatchNorm`` (not ``BatchNorm2D``) is used on purpose: it names its parameters
``batch_norm_K.*`` like the layers PaddleOCR trained and exported, which is what lets
released weights be matched to these layers.
"""

from __future__ import annotations

import paddle
import paddle.nn.functional as F
from paddle import nn


def make_divisible(v: float, divisor: int = 8, min_value: int | None = None) -> int:
    """Round channel counts to multiples of 8 (never more than 10% down), as MobileNetV3 does."""
    min_value = divisor if min_value is None else min_value
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return new_v


def activation(x: paddle.Tensor, act: str | None) -> paddle.Tensor:
    """Apply ``relu`` / ``hardswish`` / nothing."""
    if act is None:
        return x
    if act == "relu":
        return F.relu(x)
    if act == "hardswish":
        return F.hardswish(x)
    raise ValueError(f"unknown activation {act!r}")


class ConvBNLayer(nn.Layer):
    """Conv (no bias) -> BatchNorm -> optional activation."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, stride, padding: int,
                 groups: int = 1, act: str | None = None) -> None:
        super().__init__()
        self.act = act
        self.conv = nn.Conv2D(in_channels, out_channels, kernel_size, stride, padding, groups=groups, bias_attr=False)
        self.bn = nn.BatchNorm(num_channels=out_channels, act=None)

    def forward(self, x: paddle.Tensor) -> paddle.Tensor:
        return activation(self.bn(self.conv(x)), self.act)


class SEModule(nn.Layer):
    """Squeeze-and-excitation. ``slope`` differs by model: 0.2 in MobileNetV3, 1/6 in MobileNetV1Enhance."""

    def __init__(self, channels: int, reduction: int = 4, slope: float = 0.2) -> None:
        super().__init__()
        self.slope = slope
        self.avg_pool = nn.AdaptiveAvgPool2D(1)
        self.conv1 = nn.Conv2D(channels, channels // reduction, 1, 1, 0)
        self.conv2 = nn.Conv2D(channels // reduction, channels, 1, 1, 0)

    def forward(self, x: paddle.Tensor) -> paddle.Tensor:
        w = F.relu(self.conv1(self.avg_pool(x)))
        w = F.hardsigmoid(self.conv2(w), slope=self.slope, offset=0.5)
        return x * w


class ResidualUnit(nn.Layer):
    """MobileNetV3 inverted residual: expand 1x1 -> depthwise kxk -> (SE) -> linear 1x1 (+ shortcut)."""

    def __init__(self, in_channels: int, mid_channels: int, out_channels: int, kernel_size: int,
                 stride, use_se: bool, act: str) -> None:
        super().__init__()
        self.if_shortcut = stride == 1 and in_channels == out_channels
        self.if_se = use_se
        self.expand_conv = ConvBNLayer(in_channels, mid_channels, 1, 1, 0, act=act)
        self.bottleneck_conv = ConvBNLayer(mid_channels, mid_channels, kernel_size, stride,
                                           (kernel_size - 1) // 2, groups=mid_channels, act=act)
        if use_se:
            self.mid_se = SEModule(mid_channels)
        self.linear_conv = ConvBNLayer(mid_channels, out_channels, 1, 1, 0, act=None)

    def forward(self, inputs: paddle.Tensor) -> paddle.Tensor:
        x = self.bottleneck_conv(self.expand_conv(inputs))
        if self.if_se:
            x = self.mid_se(x)
        x = self.linear_conv(x)
        return inputs + x if self.if_shortcut else x
