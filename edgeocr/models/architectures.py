"""The trainable architectures of each model family, and how to build them: PP-OCRv2
(PaddleOCR's ``configs/det/ch_PP-OCRv2``, ``configs/rec/ch_PP-OCRv2``, ``configs/cls/cls_mv3``),
PP-OCRv3 and PP-OCRv4 (the deployed students of ``configs/*/PP-OCRv3``, ``PP-OCRv4``; their sets
ship the mobile v2.0 direction classifier, PP-OCRv2's).

Each entry also records the inference input spec, which the exporter, the pruner and the
trainer take from the model built (``model.architecture``), so a 48-pixel recogniser is fed
48-pixel lines everywhere.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from edgeocr.errors import ModelError
from edgeocr.models.archs.base_model import BaseModel


@dataclass(frozen=True)
class Architecture:
    family: str
    task: str
    description: str
    config: dict[str, Any]
    input_shape: tuple[int | None, ...]  # N, C, H, W; None = dynamic
    example_shape: tuple[int, ...] = field(default=(1, 3, 32, 320))

    def build(self, **head_overrides: Any) -> BaseModel:
        """A freshly initialised model (``head_overrides`` e.g. ``out_channels`` for another dictionary)."""
        cfg = copy.deepcopy(self.config)
        cfg["Head"].update(head_overrides)
        model = BaseModel(cfg)
        model.architecture = self
        return model


PPOCRV2 = {
    "det": Architecture(
        "ppocrv2", task="det",
        description="DB: MobileNetV3 large x0.5 (no SE), DBFPN 96, DBHead k=50",
        config={
            "Backbone": {"name": "MobileNetV3", "model_name": "large", "scale": 0.5, "disable_se": True},
            "Neck": {"name": "DBFPN", "out_channels": 96},
            "Head": {"name": "DBHead", "k": 50},
        },
        input_shape=(None, 3, None, None),
        example_shape=(1, 3, 640, 640),
    ),
    "cls": Architecture(
        "ppocrv2", task="cls",
        description="direction classifier: MobileNetV3 small x0.35, 2 classes (0/180)",
        config={
            "Backbone": {"name": "LineMobileNetV3", "model_name": "small", "scale": 0.35},
            "Neck": None,
            "Head": {"name": "ClsHead", "class_dim": 2},
        },
        input_shape=(None, 3, 48, 192),
        example_shape=(1, 3, 48, 192),
    ),
    "rec": Architecture(
        "ppocrv2", task="rec",
        description="CRNN: MobileNetV1Enhance x0.5, BiLSTM hidden 64, CTC head (mid 96)",
        config={
            "Backbone": {"name": "MobileNetV1Enhance", "scale": 0.5},
            "Neck": {"name": "SequenceEncoder", "hidden_size": 64},
            "Head": {"name": "CTCHead", "out_channels": 6625, "mid_channels": 96},
        },
        input_shape=(None, 3, 32, None),
        example_shape=(1, 3, 32, 320),
    ),
}


def _db(family: str, description: str, backbone: dict) -> Architecture:
    return Architecture(family, "det", description,
                        {"Backbone": backbone, "Neck": {"name": "RSEFPN", "out_channels": 96, "shortcut": True},
                         "Head": {"name": "DBHead", "k": 50}},
                        input_shape=(None, 3, None, None), example_shape=(1, 3, 640, 640))


def _svtr_ctc(family: str, description: str, backbone: dict, **svtr) -> Architecture:
    # use_guide is PaddleOCR's for training beside a second (attention) head, which taught the
    # backbone; fine-tuned here with CTC alone, the backbone must get the neck's gradient. The
    # forward pass is the same either way.
    neck = {"name": "SequenceEncoder", "encoder_type": "svtr", "depth": 2, "hidden_dims": 120, "use_guide": False,
            **svtr}
    return Architecture(family, "rec", description,
                        {"Backbone": backbone, "Neck": neck,
                         "Head": {"name": "CTCHead", "out_channels": 6625, "mid_channels": None}},
                        input_shape=(None, 3, 48, None), example_shape=(1, 3, 48, 320))


PPOCRV3 = {
    "det": _db("ppocrv3", "DB: MobileNetV3 large x0.5 (no SE), RSEFPN 96, DBHead k=50",
               {"name": "MobileNetV3", "model_name": "large", "scale": 0.5, "disable_se": True}),
    "cls": PPOCRV2["cls"],
    "rec": _svtr_ctc("ppocrv3", "SVTR-LCNet: MobileNetV1Enhance x0.5 (last stride 1x2, avg pool), SVTR neck "
                     "(2 blocks, 120 wide, 64 out), CTC head",
                     {"name": "MobileNetV1Enhance", "scale": 0.5, "last_conv_stride": [1, 2], "last_pool_type": "avg"},
                     dims=64),
}
PPOCRV4 = {
    "det": _db("ppocrv4", "DB: PP-LCNetV3 x0.75 (folded), RSEFPN 96, DBHead k=50",
               {"name": "PPLCNetV3", "scale": 0.75, "det": True}),
    "cls": PPOCRV2["cls"],
    "rec": _svtr_ctc("ppocrv4", "SVTR-LCNetV3: PP-LCNetV3 x0.95 (folded), SVTR neck (2 blocks, 120 wide, "
                     "kernel 1x3), CTC head", {"name": "PPLCNetV3", "scale": 0.95}, dims=120, kernel_size=[1, 3]),
}
ARCHITECTURES = {"ppocrv2": PPOCRV2, "ppocrv3": PPOCRV3, "ppocrv4": PPOCRV4}


def architecture(family: str, task: str) -> Architecture:
    """The trainable ``task`` architecture of ``family``; PP-OCRv5 (released as ONNX only) has none."""
    if family not in ARCHITECTURES:
        raise ModelError(f"no trainable {task} architecture for {family}: edgeocr builds "
                         f"{', '.join(ARCHITECTURES)}; quantize its inference model with --method ptq")
    return ARCHITECTURES[family][task]


def architecture_of(model) -> Architecture:
    """The architecture ``model`` was built from (``Architecture.build`` records it on the model)."""
    arch = getattr(model, "architecture", None)
    if not isinstance(arch, Architecture):
        raise ModelError(f"{type(model).__name__}: not built from an edgeocr architecture")
    return arch
