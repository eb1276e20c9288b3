"""The images a benchmark runs on, with their labels when it has them.

``--data LABELS`` (PaddleOCR det or rec labels) gives accuracy figures as well as timings;
``--images DIR`` gives timings only. On the device every image is named
``<5-digit index>_<file name>``: the runner works through a folder in file-name order, so
the index keeps the label order, no two images collide, and each result maps back to its
label by name.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from edgeocr.data.labels import DetSample, RecSample, read_labels
from edgeocr.errors import InputError
from edgeocr.ocr.image_io import IMAGE_EXTENSIONS
from edgeocr.runner.measure import image_files


@dataclass(frozen=True)
class Dataset:
    """``files``: device name -> local image; ``samples``: device name -> its label (empty
    without labels); ``kind``: the label format, ``det``, ``rec`` or None."""

    source: str
    kind: str | None
    files: dict[str, Path]
    samples: dict[str, DetSample | RecSample]

    def mode(self, has_cls: bool) -> str:
        """The runner mode this data needs: line crops are recognised only; scenes go through
        the whole pipeline (without the classifier when the models have none)."""
        if self.kind == "rec":
            return "rec"
        return "det_cls_rec" if has_cls else "det_rec"

    def to_json(self) -> dict[str, Any]:
        return {"source": self.source, "labels": self.kind, "images": len(self.files)}


def _device_names(paths: list[Path]) -> dict[str, Path]:
    return {f"{i:05d}_{p.name}": p for i, p in enumerate(paths)}


def load_dataset(labels: Path | None = None, kind: str = "det", images: Path | None = None,
                 image_root: Path | None = None, allowed_chars: frozenset[str] | None = None) -> Dataset:
    """The data of exactly one of ``labels`` (checked against the recognizer's
    ``allowed_chars``) and ``images`` (a folder)."""
    if (labels is None) == (images is None):
        raise InputError("choose the benchmark data: --data LABELS (timings and accuracy) or --images DIR (timings)")
    if labels is not None:
        label_set = read_labels(labels, kind, allowed_chars=allowed_chars, image_root=image_root)
        paths = [label_set.image_path(s) for s in label_set.samples]
        odd = [str(p) for p in paths if p.suffix.lower() not in IMAGE_EXTENSIONS]
        if odd:
            raise InputError(f"{labels}: runners read images by extension ({', '.join(sorted(IMAGE_EXTENSIONS))}); "
                             f"rename {', '.join(odd[:3])}")
        names = _device_names(paths)
        return Dataset(str(labels), kind, names, dict(zip(names, label_set.samples)))
    return Dataset(str(images), None, _device_names(image_files(images)), {})

