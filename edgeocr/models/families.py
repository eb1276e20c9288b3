"""PaddleOCR model families and the settings each was trained for.

A family's models only read correctly with its own pre- and post-processing: PP-OCRv3 and
later recognisers take 48-pixel lines where PP-OCRv2's took 32 (a v4 rec fed 32 pixels reads
nothing), and PP-OCRv5 detects at the image's own size (PaddleOCR 3's ``limit_type: min``,
side 64) where v2-v4 shrink the long side to 960. The settings are recorded in every pulled
set's manifest and from there in every bundle, so no command needs a flag to get them right.
"""

from __future__ import annotations

from dataclasses import dataclass

from edgeocr.config import OCRConfig
from edgeocr.errors import InputError


@dataclass(frozen=True)
class Family:
    name: str
    title: str
    ocr: OCRConfig  # PaddleOCR's inference defaults for this family (tools/infer, PaddleOCR 3 pipeline for v5)

    @property
    def rec_height(self) -> int:
        return self.ocr.rec_image_shape[1]


_V3_ON = OCRConfig(rec_image_shape=(3, 48, 320))  # PaddleOCR >= 2.6 tools/infer/utility.py defaults
FAMILIES = {f.name: f for f in (
    Family("ppocrv2", "PP-OCRv2", OCRConfig()),
    Family("ppocrv3", "PP-OCRv3", _V3_ON),
    Family("ppocrv4", "PP-OCRv4", _V3_ON),
    # PaddleOCR 3.x OCR pipeline: text_det_limit_type min, side 64; thresholds as v2-v4. Its
    # text_rec_score_thresh of 0.0 is not taken: drop_score stays 0.5 so that every family's
    # end-to-end score counts the same lines.
    Family("ppocrv5", "PP-OCRv5", OCRConfig(rec_image_shape=(3, 48, 320), det_limit_side_len=64,
                                            det_limit_type="min")),
)}


def family(name: str) -> Family:
    """The family called ``name``; an unknown one is an error listing the known ones."""
    try:
        return FAMILIES[name]
    except KeyError:
        raise InputError(f"unknown model family {name!r}; known: {', '.join(FAMILIES)}") from None


def family_of_height(height: int) -> list[str]:
    """Families whose recogniser takes lines ``height`` pixels high (for error messages)."""
    return [f.name for f in FAMILIES.values() if f.rec_height == height]
