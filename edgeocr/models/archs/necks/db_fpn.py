"""DBFPN: fuses the four backbone stages into one 1/4-resolution map for the DB head."""

from __future__ import annotations

import paddle
import paddle.nn.functional as F
from paddle import nn


def upsample(x: paddle.Tensor, factor: int) -> paddle.Tensor:
    # Paddle's nearest interpolation floors source indices; ONNX exports must match that.
    return F.upsample(x, scale_factor=factor, mode="nearest", align_mode=1)


class DBFPN(nn.Layer):
    """1x1 lateral convs, top-down sum, 3x3 smoothing to ``out_channels // 4``, concat."""

    def __init__(self, in_channels: list[int], out_channels: int = 96) -> None:
        super().__init__()
        self.out_channels = out_channels
        init = paddle.ParamAttr(initializer=nn.initializer.KaimingUniform())
        # Creation order (in2..in5, then p5..p2) fixes parameter numbering: keep it.
        for i, c in zip((2, 3, 4, 5), in_channels):
            setattr(self, f"in{i}_conv", nn.Conv2D(c, out_channels, 1, weight_attr=init, bias_attr=False))
        for i in (5, 4, 3, 2):
            setattr(self, f"p{i}_conv", nn.Conv2D(out_channels, out_channels // 4, 3, padding=1,
                                                  weight_attr=init, bias_attr=False))

    def forward(self, feats: list[paddle.Tensor]) -> paddle.Tensor:
        c2, c3, c4, c5 = feats
        in5 = self.in5_conv(c5)
        out4 = self.in4_conv(c4) + upsample(in5, 2)
        out3 = self.in3_conv(c3) + upsample(out4, 2)
        out2 = self.in2_conv(c2) + upsample(out3, 2)
        p5 = upsample(self.p5_conv(in5), 8)
        p4 = upsample(self.p4_conv(out4), 4)
        p3 = upsample(self.p3_conv(out3), 2)
        return paddle.concat([p5, p4, p3, self.p2_conv(out2)], axis=1)
