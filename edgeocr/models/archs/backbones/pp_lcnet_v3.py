"""PP-LCNetV3: the PP-OCRv4 backbone, rec (height-only downsampling) and det (four stages).

Built in its *deployed* form: PaddleOCR trains each conv as a learnable re-parameterisation
(k x k branches + 1x1 + identity, summed) and folds them into one biased conv before export.
The released weights exist only folded, and fine-tuning them (QAT, pruning) trains exactly the
network a phone runs, so the folded form is the one built here. Every conv is followed by a
learnable affine (``scale * x + bias``, one scalar each) and, unless it downsamples by 2,
a hard-swish with its own affine.
"""

from __future__ import annotations

import paddle
import paddle.nn.functional as F
from paddle import nn

from edgeocr.models.archs.backbones.layers import SEModule, make_divisible

# kernel, in, out, stride, SE   (PaddleOCR's NET_CONFIG_rec / NET_CONFIG_det)
REC = {
    "blocks2": [(3, 16, 32, 1, False)],
    "blocks3": [(3, 32, 64, 1, False), (3, 64, 64, 1, False)],
    "blocks4": [(3, 64, 128, (2, 1), False), (3, 128, 128, 1, False)],
    "blocks5": [(3, 128, 256, (1, 2), False)] + [(5, 256, 256, 1, False)] * 4,
    "blocks6": [(5, 256, 512, (2, 1), True), (5, 512, 512, 1, True), (5, 512, 512, (2, 1), False),
                (5, 512, 512, 1, False)],
}
DET = {
    "blocks2": [(3, 16, 32, 1, False)],
    "blocks3": [(3, 32, 64, 2, False), (3, 64, 64, 1, False)],
    "blocks4": [(3, 64, 128, 2, False), (3, 128, 128, 1, False)],
    "blocks5": [(3, 128, 256, 2, False)] + [(5, 256, 256, 1, False)] * 4,
    "blocks6": [(5, 256, 512, 2, True), (5, 512, 512, 1, True), (5, 512, 512, 1, False), (5, 512, 512, 1, False)],
}
DET_OUT = (16, 24, 56, 480)  # det stage widths after the 1x1 projections (x scale), as MobileNetV3's


def _divisible(v: float) -> int:
    return make_divisible(v, divisor=16)


class LearnableAffine(nn.Layer):
    """``x * scale + bias`` with one learnable scalar each (PaddleOCR's LearnableAffineBlock, which
    writes ``scale * x``: the same numbers, but PaddleSlim's pruner can only follow a channel
    through an elementwise op whose first operand is the feature map)."""

    def __init__(self) -> None:
        super().__init__()
        self.scale = self.create_parameter([1], default_initializer=nn.initializer.Constant(1.0))
        self.bias = self.create_parameter([1], default_initializer=nn.initializer.Constant(0.0))

    def forward(self, x: paddle.Tensor) -> paddle.Tensor:
        return x * self.scale + self.bias


class AffineHardSwish(nn.Layer):
    def __init__(self) -> None:
        super().__init__()
        self.lab = LearnableAffine()

    def forward(self, x: paddle.Tensor) -> paddle.Tensor:
        return self.lab(F.hardswish(x))


class RepConv(nn.Layer):
    """The folded LearnableRepLayer: biased conv -> affine (-> hard-swish -> affine unless stride 2)."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, stride=1, groups: int = 1) -> None:
        super().__init__()
        self.conv = nn.Conv2D(in_channels, out_channels, kernel_size, stride, (kernel_size - 1) // 2, groups=groups)
        self.lab = LearnableAffine()
        self.act = AffineHardSwish() if stride != 2 else None

    def forward(self, x: paddle.Tensor) -> paddle.Tensor:
        x = self.lab(self.conv(x))
        return x if self.act is None else self.act(x)


class LCNetV3Block(nn.Layer):
    """Depthwise RepConv -> (SE) -> pointwise RepConv."""

    def __init__(self, in_channels: int, out_channels: int, stride, dw_size: int, use_se: bool) -> None:
        super().__init__()
        self.dw_conv = RepConv(in_channels, in_channels, dw_size, stride, groups=in_channels)
        self.se = SEModule(in_channels, slope=1.0 / 6) if use_se else None
        self.pw_conv = RepConv(in_channels, out_channels, 1)

    def forward(self, x: paddle.Tensor) -> paddle.Tensor:
        x = self.dw_conv(x)
        if self.se is not None:
            x = self.se(x)
        return self.pw_conv(x)


class PPLCNetV3(nn.Layer):
    """``scale`` 0.95 / ``det=False`` for the PP-OCRv4 recogniser (``[N, 480, 1, W/8]`` for a 48-pixel
    line), 0.75 / ``det=True`` for the detector (four stages for the FPN)."""

    def __init__(self, in_channels: int = 3, scale: float = 0.95, det: bool = False) -> None:
        super().__init__()
        self.det = det
        config = DET if det else REC
        self.conv1 = nn.Sequential(
            nn.Conv2D(in_channels, _divisible(16 * scale), 3, 2, 1, bias_attr=False),
            nn.BatchNorm2D(_divisible(16 * scale)))
        for name, blocks in config.items():
            setattr(self, name, nn.Sequential(*[
                LCNetV3Block(_divisible(i * scale), _divisible(o * scale), s, k, se) for k, i, o, s, se in blocks]))
        widths = [_divisible(config[f"blocks{i}"][-1][2] * scale) for i in (3, 4, 5, 6)]
        if det:
            self.layer_list = nn.LayerList([nn.Conv2D(c, int(m * scale), 1) for c, m in zip(widths, DET_OUT)])
            self.out_channels = [int(m * scale) for m in DET_OUT]
        else:
            self.out_channels = widths[-1]

    def forward(self, x: paddle.Tensor) -> paddle.Tensor | list[paddle.Tensor]:
        x = self.blocks2(self.conv1(x))
        outs = []
        for stage in (self.blocks3, self.blocks4, self.blocks5, self.blocks6):
            x = stage(x)
            outs.append(x)
        if self.det:
            return [proj(o) for proj, o in zip(self.layer_list, outs)]
        # PaddleOCR trains with an adaptive pool to 1 x 40 and exports this fixed one; for a
        # 48 x 320 line they agree, and training the exported form keeps the two the same.
        return F.avg_pool2d(x, [3, 2])
