"""The fonts synthetic text is rendered with: Debian's WenQuanYi Micro Hei (CJK + Latin)
and DejaVu Sans/Serif/Mono (Latin only).

The set is fixed rather than discovered, so the same seed renders the same pixels on every
machine with the two font packages installed; a missing font is an error, not a silent
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


def fonts_for(text: str) -> tuple[FontSpec, ...]:
    """Faces that can draw every character of ``text``: all of them for ASCII, else the CJK ones."""
    return FONTS if text.isascii() else tuple(f for f in FONTS if f.cjk)


def check_fonts() -> None:
    """Fail early, naming the file and the package to install, if a font is missing."""
    for spec in FONTS:
        if not spec.path.is_file():
            raise DataError(f"{spec.path}: font {spec.name!r} not found (install the Debian package {spec.package})")


@lru_cache(maxsize=256)
def load_font(spec: FontSpec, size: int) -> ImageFont.FreeTypeFont:
    """A Pillow font at ``size`` pixels (cached: synthesis reuses a few sizes many times)."""
    try:
        return ImageFont.truetype(str(spec.path), size=size, index=spec.index)
    except OSError as e:
        raise DataError(f"{spec.path}: cannot load font {spec.name!r} ({e})") from e
