"""MobileNetV3 in PaddleOCR's two flavours: the multi-scale detector backbone
(PP-OCRv2 det: large x0.5, SE disabled) and the text-line backbone (mobile v2.0 direction
classifier: small x0.35). Attribute names follow PaddleOCR so its checkpoints load."""

from __future__ import annotations

import paddle
from paddle import nn

from edgeocr.models.archs.backbones.layers import ConvBNLayer, ResidualUnit, make_divisible

# kernel, expansion, out channels, SE, activation, stride
LARGE = [
    (3, 16, 16, False, "relu", 1), (3, 64, 24, False, "relu", 2), (3, 72, 24, False, "relu", 1),
    (5, 72, 40, True, "relu", 2), (5, 120, 40, True, "relu", 1), (5, 120, 40, True, "relu", 1),
    (3, 240, 80, False, "hardswish", 2), (3, 200, 80, False, "hardswish", 1),
    (3, 184, 80, False, "hardswish", 1), (3, 184, 80, False, "hardswish", 1),
    (3, 480, 112, True, "hardswish", 1), (3, 672, 112, True, "hardswish", 1),
    (5, 672, 160, True, "hardswish", 2), (5, 960, 160, True, "hardswish", 1),
    (5, 960, 160, True, "hardswish", 1),
]
SMALL = [
    (3, 16, 16, True, "relu", 2), (3, 72, 24, False, "relu", 2), (3, 88, 24, False, "relu", 1),
    (5, 96, 40, True, "hardswish", 2), (5, 240, 40, True, "hardswish", 1),
    (5, 240, 40, True, "hardswish", 1), (5, 120, 48, True, "hardswish", 1),
    (5, 144, 48, True, "hardswish", 1), (5, 288, 96, True, "hardswish", 2),
    (5, 576, 96, True, "hardswish", 1), (5, 576, 96, True, "hardswish", 1),
]
CONFIGS = {"large": LARGE, "small": SMALL}
SQUEEZE = {"large": 960, "small": 576}


class MobileNetV3(nn.Layer):
    """Detector backbone (``large`` for PP-OCRv2): returns the four stage outputs the DB FPN fuses."""

    def __init__(self, in_channels: int = 3, model_name: str = "large", scale: float = 0.5,
                 disable_se: bool = False) -> None:
        super().__init__()
        inplanes = make_divisible(16 * scale)
        self.conv = ConvBNLayer(in_channels, inplanes, 3, 2, 1, act="hardswish")
        stages: list[list[nn.Layer]] = [[]]
        self.out_channels: list[int] = []
        for i, (k, exp, c, se, act, s) in enumerate(CONFIGS[model_name]):
            if s == 2 and i > 2:  # each further downsampling starts a new stage
                self.out_channels.append(inplanes)
                stages.append([])
            out = make_divisible(scale * c)
            stages[-1].append(ResidualUnit(inplanes, make_divisible(scale * exp), out, k, s, se and not disable_se, act))
            inplanes = out
        squeeze = make_divisible(scale * SQUEEZE[model_name])
        stages[-1].append(ConvBNLayer(inplanes, squeeze, 1, 1, 0, act="hardswish"))
        self.out_channels.append(squeeze)
        # Registered as stage0..stage3 (not a LayerList) so PaddleOCR checkpoint keys match.
        self.stages = [self.add_sublayer(f"stage{i}", nn.Sequential(*blocks)) for i, blocks in enumerate(stages)]

    def forward(self, x: paddle.Tensor) -> list[paddle.Tensor]:
        x = self.conv(x)
        outs = []
        for stage in self.stages:
            x = stage(x)
            outs.append(x)
        return outs


class LineMobileNetV3(nn.Layer):
    """Text-line backbone (PaddleOCR's ``rec_mobilenet_v3``; ``small`` x0.35 for the direction
    classifier): stride-2 blocks only halve the height, so a line keeps its width."""

    def __init__(self, in_channels: int = 3, model_name: str = "small", scale: float = 0.35) -> None:
        super().__init__()
        inplanes = make_divisible(16 * scale)
        self.conv1 = ConvBNLayer(in_channels, inplanes, 3, 2, 1, act="hardswish")
        blocks = []
        for k, exp, c, se, act, s in CONFIGS[model_name]:
            out = make_divisible(scale * c)
            stride = (2, 1) if s == 2 else 1
            blocks.append(ResidualUnit(inplanes, make_divisible(scale * exp), out, k, stride, se, act))
            inplanes = out
        self.blocks = nn.Sequential(*blocks)
        self.out_channels = make_divisible(scale * SQUEEZE[model_name])
        self.conv2 = ConvBNLayer(inplanes, self.out_channels, 1, 1, 0, act="hardswish")
        self.pool = nn.MaxPool2D(kernel_size=2, stride=2, padding=0)

    def forward(self, x: paddle.Tensor) -> paddle.Tensor:
        return self.pool(self.conv2(self.blocks(self.conv1(x))))
