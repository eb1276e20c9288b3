"""Backbones: MobileNetV3 (det and cls variants), MobileNetV1Enhance (v2/v3 rec), PP-LCNetV3 (v4)."""

from edgeocr.models.archs.backbones.mobilenet_v3 import LineMobileNetV3, MobileNetV3
from edgeocr.models.archs.backbones.mv1_enhance import MobileNetV1Enhance
from edgeocr.models.archs.backbones.pp_lcnet_v3 import PPLCNetV3

BACKBONES = {"MobileNetV3": MobileNetV3, "LineMobileNetV3": LineMobileNetV3, "MobileNetV1Enhance": MobileNetV1Enhance,
             "PPLCNetV3": PPLCNetV3}
