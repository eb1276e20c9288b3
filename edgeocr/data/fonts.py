"""The fonts synthetic text is rendered with, in two sets that share no face:

- ``train`` (every training set, and the default): Debian's WenQuanYi Micro Hei (CJK + Latin)
  and DejaVu Sans/Serif/Mono (Latin only);
- ``heldout`` (evaluation only, ``edgeocr data synth --style heldout``): AR PL UMing (a Ming
  face, CJK + Latin), FreeFont's Sans/Serif/Mono obliques and Liberation's italics (Latin) —
  faces, and slants, that no training set is rendered with, so an accuracy gain on them
  cannot be fitting the renderer's fonts.

Each set is fixed rather than discovered, so the same seed renders the same pixels on every
machine with the font packages installed; a missing font is an error, not a silent
substitution.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

from edgeocr.errors import DataError

WQY = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
UMING = Path("/usr/share/fonts/truetype/arphic/uming.ttc")
FREEFONT = Path("/usr/share/fonts/truetype/freefont")
LIBERATION = Path("/usr/share/fonts/truetype/liberation2")


@dataclass(frozen=True)
class FontSpec:
    """One face: a file, the face index inside it (for .ttc collections), and its coverage."""

    name: str
    path: Path
    package: str  # the Debian package that ships it
    index: int = 0
    cjk: bool = False  # has Chinese glyphs (and full-width punctuation); otherwise ASCII only


FONTS = (
    FontSpec("WenQuanYi Micro Hei", WQY, "fonts-wqy-microhei", index=0, cjk=True),
    FontSpec("WenQuanYi Micro Hei Mono", WQY, "fonts-wqy-microhei", index=1, cjk=True),
    *(
        FontSpec(f"DejaVu {stem.replace('-', ' ')}", DEJAVU / f"DejaVu{stem}.ttf", "fonts-dejavu-core")
        for stem in ("Sans", "Sans-Bold", "Serif", "Serif-Bold", "SansMono", "SansMono-Bold")
    ),
)


HELDOUT_FONTS = (
    FontSpec("AR PL UMing CN", UMING, "fonts-arphic-uming", index=0, cjk=True),
    *(FontSpec(f"Free{stem}", FREEFONT / f"Free{stem}.ttf", "fonts-freefont-ttf")
      for stem in ("SansOblique", "SerifItalic", "MonoBoldOblique")),
    *(FontSpec(f"Liberation {stem.replace('-', ' ')}", LIBERATION / f"Liberation{stem}.ttf", "fonts-liberation2")
      for stem in ("Sans-Italic", "Serif-BoldItalic", "Mono-Italic")),
)
FONT_SETS = {"train": FONTS, "heldout": HELDOUT_FONTS}


def font_set(name: str) -> tuple[FontSpec, ...]:
    try:
        return FONT_SETS[name]
    except KeyError:
        raise DataError(f"unknown font set {name!r} (expected one of {', '.join(FONT_SETS)})") from None


def fonts_for(text: str, fonts: str = "train") -> tuple[FontSpec, ...]:
    """Faces of set ``fonts`` that can draw every character of ``text``: all of them for ASCII,
    else the CJK ones."""
    faces = font_set(fonts)
    return faces if text.isascii() else tuple(f for f in faces if f.cjk)


def check_fonts(fonts: str = "train") -> None:
    """Fail early, naming the file and the package to install, if a font of set ``fonts`` is missing."""
    for spec in font_set(fonts):
        if not spec.path.is_file():
            raise DataError(f"{spec.path}: font {spec.name!r} not found (install the Debian package {spec.package})")


@lru_cache(maxsize=256)
def load_font(spec: FontSpec, size: int) -> ImageFont.FreeTypeFont:
    """A Pillow font at ``size`` pixels (cached: synthesis reuses a few sizes many times)."""
    try:
        return ImageFont.truetype(str(spec.path), size=size, index=spec.index)
    except OSError as e:
        raise DataError(f"{spec.path}: cannot load font {spec.name!r} ({e})") from e
