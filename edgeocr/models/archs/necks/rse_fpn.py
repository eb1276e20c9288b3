"""RSEFPN: PP-OCRv3/v4's detector neck, DBFPN with a residual squeeze-and-excitation after
every lateral and smoothing conv (PaddleOCR's ``necks/db_fpn.py``)."""

from __future__ import annotations

import paddle
from paddle import nn

from edgeocr.models.archs.backbones.layers import SEModule
from edgeocr.models.archs.necks.db_fpn import upsample


class RSELayer(nn.Layer):
    """Conv (no bias) -> ``x + SE(x)`` (``shortcut``) or ``SE(x)``."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, shortcut: bool = True) -> None:
        super().__init__()
        self.out_channels = out_channels
        self.in_conv = nn.Conv2D(in_channels, out_channels, kernel_size, padding=kernel_size // 2,
                                 weight_attr=paddle.ParamAttr(initializer=nn.initializer.KaimingUniform()),
                                 bias_attr=False)
        self.se_block = SEModule(out_channels)
        self.shortcut = shortcut

    def forward(self, x: paddle.Tensor) -> paddle.Tensor:
        x = self.in_conv(x)
        return x + self.se_block(x) if self.shortcut else self.se_block(x)


class RSEFPN(nn.Layer):
    """Lateral RSE 1x1 -> top-down sum -> RSE 3x3 to ``out_channels // 4`` -> upsample, concat."""

    def __init__(self, in_channels: list[int], out_channels: int = 96, shortcut: bool = True) -> None:
        super().__init__()
        self.out_channels = out_channels
        self.ins_conv = nn.LayerList()
        self.inp_conv = nn.LayerList()
        for c in in_channels:  # created pairwise, as PaddleOCR does (fixes parameter numbering)
            self.ins_conv.append(RSELayer(c, out_channels, 1, shortcut))
            self.inp_conv.append(RSELayer(out_channels, out_channels // 4, 3, shortcut))

    def forward(self, feats: list[paddle.Tensor]) -> paddle.Tensor:
        c2, c3, c4, c5 = feats
        in5 = self.ins_conv[3](c5)
        in4 = self.ins_conv[2](c4)
        in3 = self.ins_conv[1](c3)
        in2 = self.ins_conv[0](c2)
        out4 = in4 + upsample(in5, 2)
        out3 = in3 + upsample(out4, 2)
        out2 = in2 + upsample(out3, 2)
        p5 = upsample(self.inp_conv[3](in5), 8)
        p4 = upsample(self.inp_conv[2](out4), 4)
        p3 = upsample(self.inp_conv[1](out3), 2)
        return paddle.concat([p5, p4, p3, self.inp_conv[0](out2)], axis=1)
