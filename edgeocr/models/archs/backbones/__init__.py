"""Backbones: MobileNetV3 (det and cls variants) and MobileNetV1Enhance (rec)."""

from edgeocr.models.archs.backbones.mobilenet_v3 import LineMobileNetV3, MobileNetV3
from edgeocr.models.archs.backbones.mv1_enhance import MobileNetV1Enhance

BACKBONES = {"MobileNetV3": MobileNetV3, "LineMobileNetV3": LineMobileNetV3, "MobileNetV1Enhance": MobileNetV1Enhance}
