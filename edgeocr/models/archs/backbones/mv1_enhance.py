"""MobileNetV1Enhance: the PP-OCRv2 and PP-OCRv3 recognizer backbone (PP-LCNet's ancestor).

Depthwise-separable blocks with height-only downsampling ``(2, 1)`` and 5x5 kernels in
the deep blocks; a 32-pixel-high line becomes a 1 x W/4 feature sequence (PP-OCRv2). PP-OCRv3
halves the width once more in the last block (``last_conv_stride (1, 2)``) and average-pools:
a 48-pixel line becomes 1 x W/8.
"""

from __future__ import annotations

import paddle
from paddle import nn

from edgeocr.models.archs.backbones.layers import SEModule


class ConvBNAct(nn.Layer):
    """Conv (no bias) -> BatchNorm with a fused hard-swish, the layout PaddleOCR trained."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, stride, padding: int,
                 groups: int = 1) -> None:
        super().__init__()
        self._conv = nn.Conv2D(in_channels, out_channels, kernel_size, stride, padding, groups=groups, bias_attr=False)
        self._batch_norm = nn.BatchNorm(out_channels, act="hard_swish")

    def forward(self, x: paddle.Tensor) -> paddle.Tensor:
        return self._batch_norm(self._conv(x))


class DepthwiseSeparable(nn.Layer):
    """Depthwise conv -> (SE) -> pointwise conv."""

    def __init__(self, in_channels: int, filters1: int, filters2: int, groups: int, stride, scale: float,
                 dw_size: int = 3, padding: int = 1, use_se: bool = False) -> None:
        super().__init__()
        mid = int(filters1 * scale)
        self.use_se = use_se
        self._depthwise_conv = ConvBNAct(in_channels, mid, dw_size, stride, padding, groups=int(groups * scale))
        if use_se:
            self._se = SEModule(mid, slope=1.0 / 6)
        self._pointwise_conv = ConvBNAct(mid, int(filters2 * scale), 1, 1, 0)

    def forward(self, x: paddle.Tensor) -> paddle.Tensor:
        y = self._depthwise_conv(x)
        if self.use_se:
            y = self._se(y)
        return self._pointwise_conv(y)


class MobileNetV1Enhance(nn.Layer):
    """``scale=0.5`` for PP-OCRv2: output ``[N, 512, 1, W/4]`` for a 32-pixel-high input."""

    def __init__(self, in_channels: int = 3, scale: float = 0.5, last_conv_stride=1,
                 last_pool_type: str = "max") -> None:
        super().__init__()
        s = lambda c: int(c * scale)  # noqa: E731
        self.conv1 = ConvBNAct(in_channels, s(32), 3, 2, 1)
        blocks = [
            DepthwiseSeparable(s(32), 32, 64, 32, 1, scale),
            DepthwiseSeparable(s(64), 64, 128, 64, 1, scale),
            DepthwiseSeparable(s(128), 128, 128, 128, 1, scale),
            DepthwiseSeparable(s(128), 128, 256, 128, (2, 1), scale),
            DepthwiseSeparable(s(256), 256, 256, 256, 1, scale),
            DepthwiseSeparable(s(256), 256, 512, 256, (2, 1), scale),
        ]
        blocks += [DepthwiseSeparable(s(512), 512, 512, 512, 1, scale, dw_size=5, padding=2) for _ in range(5)]
        blocks += [
            DepthwiseSeparable(s(512), 512, 1024, 512, (2, 1), scale, dw_size=5, padding=2, use_se=True),
            DepthwiseSeparable(s(1024), 1024, 1024, 1024, last_conv_stride, scale, dw_size=5, padding=2, use_se=True),
        ]
        self.block_list = nn.Sequential(*blocks)
        if last_pool_type not in ("max", "avg"):
            raise ValueError(f"last_pool_type must be max or avg, not {last_pool_type!r}")
        self.pool = (nn.MaxPool2D if last_pool_type == "max" else nn.AvgPool2D)(kernel_size=2, stride=2, padding=0)
        self.out_channels = s(1024)

    def forward(self, x: paddle.Tensor) -> paddle.Tensor:
        return self.pool(self.block_list(self.conv1(x)))
