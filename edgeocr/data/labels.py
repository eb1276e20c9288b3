"""PaddleOCR label files, read strictly and written exactly.

Both formats have one image per line, ``path<TAB>payload``:

- rec: ``images/0001.jpg<TAB>text of the line``
- det: ``images/0001.jpg<TAB>[{"transcription": "...", "points": [[x, y], ...]}, ...]``

Image paths are relative to ``image_root`` (by default the label file's folder, which is
where PaddleOCR's tools put them). A det transcription of ``###`` or ``*`` marks a
don't-care region, as in PaddleOCR's ``DetLabelEncode``.

Everything wrong with a label file is reported as a ``DataError`` naming ``file:line``,
because an evaluation that silently skips samples produces numbers nobody can trust.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from edgeocr.errors import DataError
from edgeocr.utils.atomic import write_text

DONT_CARE = frozenset({"###", "*"})
KINDS = ("rec", "det")


@dataclass(frozen=True)
class RecSample:
    """One cropped text-line image and its transcription."""

    image: str  # path as written in the label file
    text: str


@dataclass(frozen=True)
class DetRegion:
    """One annotated text region: a polygon of >= 4 points (PaddleOCR writes quadrilaterals)."""

    text: str
    points: tuple[tuple[float, float], ...]

    @property
    def dont_care(self) -> bool:
        return self.text in DONT_CARE


@dataclass(frozen=True)
class DetSample:
    """One full image and every text region in it (possibly none)."""

    image: str
    regions: tuple[DetRegion, ...]


@dataclass(frozen=True)
class BadSample:
    """A sample left out, and why: ``where`` is ``file:line``."""

    where: str
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


@dataclass(frozen=True)
class LabelSet:
    """A parsed label file: its samples plus where their images live, and (``skip_bad``) the
    lines left out."""

    path: Path
    image_root: Path
    kind: str
    samples: tuple[RecSample, ...] | tuple[DetSample, ...]
    skipped: tuple[BadSample, ...] = ()
    line_numbers: tuple[int, ...] = ()  # of each sample, for messages about it

    def where(self, index: int) -> str:
        """``file:line`` of sample ``index``."""
        return f"{self.path}:{self.line_numbers[index]}" if self.line_numbers else str(self.path)

    def image_path(self, sample: RecSample | DetSample) -> Path:
        return self.image_root / sample.image


def read_labels(
    path: str | os.PathLike,
    kind: str,
    *,
    allowed_chars: frozenset[str] | None = None,
    image_root: str | os.PathLike | None = None,
    check_images: bool = True,
    skip_bad: bool = False,
) -> LabelSet:
    """Parse and validate a ``rec`` or ``det`` label file.

    ``allowed_chars`` (e.g. ``Charset.allowed()``) rejects transcriptions the recognizer
    can never output; don't-care regions are exempt. ``check_images`` requires every
    referenced image file to exist. A bad line is an error naming file and line, unless
    ``skip_bad``: then it is left out and listed in ``skipped`` (real label sets of tens of
    thousands of lines have a few; the caller reports how many, and which).
    """
    if kind not in KINDS:
        raise ValueError(f"unknown label kind {kind!r}")
    path = Path(path)
    root = Path(image_root) if image_root is not None else path.parent
    parse = _parse_rec if kind == "rec" else _parse_det
    samples, skipped, numbers = [], [], []
    for lineno, line in _lines(path):
        where = f"{path}:{lineno}"
        try:
            image, payload = _split(line, where)
            sample = parse(image, payload, where)
            if allowed_chars is not None:
                _check_chars(sample, allowed_chars, where)
            if check_images and not (root / image).is_file():
                raise DataError(f"{where}: image file not found: {root / image}")
        except DataError as e:
            if not skip_bad:
                raise
            skipped.append(BadSample(where, str(e).removeprefix(f"{where}: ")))
            continue
        samples.append(sample)
        numbers.append(lineno)
    if not samples:
        raise DataError(f"{path}: label file has no samples" + (f" ({len(skipped)} bad, first: {skipped[0]})"
                                                                 if skipped else ""))
    return LabelSet(path=path, image_root=root, kind=kind, samples=tuple(samples), skipped=tuple(skipped),
                    line_numbers=tuple(numbers))


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    """Yield ``(line number, line)`` for every non-blank line."""
    try:
        text = path.read_text(encoding="utf-8-sig")  # -sig: tolerate a BOM written by Windows editors
    except FileNotFoundError as e:
        raise DataError(f"{path}: label file not found") from e
    except (OSError, UnicodeDecodeError) as e:
        raise DataError(f"{path}: cannot read label file ({e})") from e
    for lineno, line in enumerate(text.split("\n"), start=1):
        line = line.rstrip("\r")
        if line.strip():
            yield lineno, line


def _split(line: str, where: str) -> tuple[str, str]:
    """``(image path, payload)`` of one label line."""
    image, tab, payload = line.partition("\t")
    if not tab:
        raise DataError(f"{where}: malformed line: no TAB between image path and label")
    if not image.strip():
        raise DataError(f"{where}: malformed line: empty image path")
    return image.strip(), payload


def _parse_rec(image: str, payload: str, where: str) -> RecSample:
    if payload == "":
        raise DataError(f"{where}: empty transcription")
    if "\t" in payload:
        raise DataError(f"{where}: malformed line: more than one TAB (a rec label is 'path<TAB>text')")
    if payload.startswith('[{"') and '"points"' in payload:
        raise DataError(f"{where}: this is a det label (JSON list of regions), expected 'path<TAB>text'")
    return RecSample(image=image, text=payload)


def _parse_det(image: str, payload: str, where: str) -> DetSample:
    try:
        items = json.loads(payload)
    except json.JSONDecodeError as e:
        raise DataError(f"{where}: malformed det label: bad JSON ({e.msg} at column {e.colno})") from e
    if not isinstance(items, list):
        raise DataError(f"{where}: malformed det label: expected a JSON list of regions, got {type(items).__name__}")
    regions = tuple(_parse_region(item, f"{where}: region {i}") for i, item in enumerate(items))
    return DetSample(image=image, regions=regions)


def _parse_region(item: object, where: str) -> DetRegion:
    if not isinstance(item, dict) or "points" not in item or "transcription" not in item:
        raise DataError(f"{where}: expected an object with 'transcription' and 'points'")
    text = item["transcription"]
    if not isinstance(text, str):
        raise DataError(f"{where}: 'transcription' must be a string")
    points = item["points"]
    if not isinstance(points, list) or len(points) < 4 or not all(_is_xy(p) for p in points):
        raise DataError(f"{where}: 'points' must be a list of at least 4 [x, y] number pairs")
    return DetRegion(text=text, points=tuple((float(x), float(y)) for x, y in points))


def _is_xy(p: object) -> bool:
    return (
        isinstance(p, list)
        and len(p) == 2
        and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in p)
    )


def _check_chars(sample: RecSample | DetSample, allowed: frozenset[str], where: str) -> None:
    texts = [sample.text] if isinstance(sample, RecSample) else [r.text for r in sample.regions if not r.dont_care]
    bad = sorted({c for t in texts for c in t if c not in allowed})
    if bad:
        shown = " ".join(repr(c) for c in bad)
        raise DataError(f"{where}: {len(bad)} character(s) not in the dictionary: {shown}")


def format_rec_line(sample: RecSample) -> str:
    """One rec label line (no newline); refuses text that would corrupt the format."""
    if not sample.text or any(c in sample.text for c in "\t\r\n"):
        raise ValueError(f"rec text must be non-empty without TAB/newline: {sample.text!r}")
    return f"{sample.image}\t{sample.text}"


def format_det_line(sample: DetSample) -> str:
    """One det label line (no newline), points written as PaddleOCR does (ints when integral)."""
    regions = [
        {"transcription": r.text, "points": [[_num(x), _num(y)] for x, y in r.points]}
        for r in sample.regions
    ]
    return f"{sample.image}\t{json.dumps(regions, ensure_ascii=False)}"


def _num(v: float) -> int | float:
    return int(v) if float(v).is_integer() else float(v)


def write_labels(path: str | os.PathLike, samples: Sequence[RecSample] | Sequence[DetSample]) -> None:
    """Write a rec or det label file atomically (kind taken from the sample type)."""
    write_text(path, "".join(line + "\n" for line in _format_all(samples)))


def _format_all(samples: Iterable[RecSample | DetSample]) -> Iterator[str]:
    for s in samples:
        yield format_rec_line(s) if isinstance(s, RecSample) else format_det_line(s)
