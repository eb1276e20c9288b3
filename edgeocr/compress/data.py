"""Training and evaluation data for compression, from PaddleOCR label files or rendered on demand.

``synth`` data are rendered once per (kind, count, seed) into the edgeocr home and reused,
so a recipe names its data reproducibly without shipping images. Train and eval sets are
checked to share no image (by content), since accuracy measured on training images says
nothing about a compressed model.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pyclipper
from shapely.geometry import Polygon

from edgeocr.compress.recipe import HELDOUT_SYNTH
from edgeocr.data.labels import BadSample, LabelSet, read_labels
from edgeocr.data.synth import LABEL_FILE, style_config, synthesize
from edgeocr.errors import DataError, EdgeOCRError
from edgeocr.models.charset import Charset
from edgeocr.ocr.image_io import read_image
from edgeocr.ocr.preprocess import normalize_det, resize_norm_line
from edgeocr.paths import home

LABEL_KIND = {"rec": "rec", "cls": "rec", "det": "det"}
SHRINK_RATIO = 0.4  # DB's label shrink ratio (PaddleOCR MakeShrinkMap)


SYNTH_STYLES = {"synth": "train", HELDOUT_SYNTH: "heldout"}  # recipe data value -> rendering style


def resolve_labels(value: str, task: str, count: int, seed: int) -> Path:
    """``synth``/``synth-heldout`` -> a cached set rendered in the training/held-out style;
    anything else is a label file path."""
    if value not in SYNTH_STYLES:
        return Path(value)
    kind, style = LABEL_KIND[task], SYNTH_STYLES[value]
    folder = home() / "cache" / "synth" / (f"{kind}-n{count}-s{seed}" if style == "train" else
                                           f"{kind}-{style}-n{count}-s{seed}")
    if not (folder / LABEL_FILE).is_file():
        synthesize(kind, folder, count, seed, force=True, config=style_config(style))
    return folder / LABEL_FILE


@dataclass
class TaskData:
    """Decoded samples of one label set, ready to be batched."""

    task: str
    labels: LabelSet
    images: list[np.ndarray]
    texts: list[str]                        # rec transcriptions ("" for det)
    polygons: list[list[np.ndarray]]        # det regions per image
    dont_care: list[list[bool]]
    digests: set[str]
    skipped: tuple[BadSample, ...] = ()      # bad lines and unreadable images left out (``skip_bad``)

    def __len__(self) -> int:
        return len(self.images)


def load_task_data(task: str, labels_path: Path, charset: Charset | None = None,
                   skip_bad: bool = False) -> TaskData:
    """Read and decode a label set for ``task``; an empty or unusable set is a ``DataError``.
    A bad line or an unreadable image is an error naming file and line, unless ``skip_bad``:
    then it is left out and listed in ``skipped``."""
    kind = LABEL_KIND[task]
    allowed = charset.allowed() if (charset is not None and task == "rec") else None
    labels = read_labels(labels_path, kind, allowed_chars=allowed, skip_bad=skip_bad)
    images, texts, polygons, dont_care, digests = [], [], [], [], set()
    skipped = list(labels.skipped)
    for index, sample in enumerate(labels.samples):
        path = labels.image_path(sample)
        try:
            image = read_image(path)
        except EdgeOCRError as e:
            if not skip_bad:
                raise DataError(f"{labels.where(index)}: {e}") from e
            skipped.append(BadSample(labels.where(index), str(e)))
            continue
        digests.add(hashlib.sha256(path.read_bytes()).hexdigest())
        images.append(image)
        if kind == "rec":
            texts.append(sample.text)
            polygons.append([])
            dont_care.append([])
        else:
            texts.append("")
            polygons.append([np.array(r.points, dtype=np.float32) for r in sample.regions])
            dont_care.append([r.dont_care for r in sample.regions])
    if not images:
        raise DataError(f"{labels_path}: no readable image ({len(skipped)} bad, first: {skipped[0]})")
    if task == "rec" and not any(t.strip() for t in texts):
        raise DataError(f"{labels_path}: no usable sample (every transcription is empty)")
    if task == "det" and not any(not d for dc in dont_care for d in dc):
        raise DataError(f"{labels_path}: no usable sample (no text region that is not ###)")
    return TaskData(task, labels, images, texts, polygons, dont_care, digests, tuple(skipped))


def skipped_summary(data: TaskData, shown: int = 20) -> dict:
    """How many samples ``data`` left out, and the first ``shown`` of them (``file:line: why``)."""
    return {"count": len(data.skipped), "first": [str(b) for b in data.skipped[:shown]]}


def check_disjoint(train: TaskData, evaluation: TaskData) -> None:
    """Refuse an eval set that shares images with the training set."""
    shared = train.digests & evaluation.digests
    if shared:
        raise DataError(f"{evaluation.labels.path}: {len(shared)} image(s) also in the training set "
                        f"{train.labels.path}; evaluation must use unseen images")


def encode_text(text: str, charset: Charset) -> list[int]:
    """CTC label ids (blank = 0, dictionary from 1, space last)."""
    index = {c: i + 1 for i, c in enumerate(charset.chars)}
    index[" "] = charset.num_classes - 1
    return [index[c] for c in text]


def rec_batch(data: TaskData, idx: np.ndarray, charset: Charset, height: int = 32, width: int = 320):
    """Crops at 32 x 320 (padded right, longer lines squeezed: PaddleOCR's ``RecResizeImg``)
    and CTC labels. Training on the padded width inference uses matters for int8: scales
    learnt without the padding misjudge it."""
    crops = [data.images[i] for i in idx]
    x = np.stack([resize_norm_line(c, height, width) for c in crops])
    labels = [encode_text(data.texts[i], charset) for i in idx]
    return x, labels


def random_flips(rng: np.random.Generator, n: int) -> np.ndarray:
    """Which of ``n`` crops ``cls_batch`` shows turned by 180 degrees (half, at random)."""
    return rng.random(n) < 0.5


def cls_batch(data: TaskData, idx: np.ndarray, flips: np.ndarray):
    """Crops ``idx``, those marked in ``flips`` rotated by 180 degrees; label 1 means rotated."""
    crops = [cv2.rotate(data.images[i], cv2.ROTATE_180) if f else data.images[i] for i, f in zip(idx, flips)]
    return np.stack([resize_norm_line(c, 48, 192) for c in crops]), flips.astype(np.int64)


def shrink_map(polygons: list[np.ndarray], ignore: list[bool], size: int) -> tuple[np.ndarray, np.ndarray]:
    """DB training targets: shrunk text kernels and a mask of pixels that count (``###`` excluded)."""
    gt = np.zeros((size, size), np.float32)
    mask = np.ones((size, size), np.float32)
    for poly, dont_care in zip(polygons, ignore):
        shape = Polygon(poly)
        if dont_care or not shape.is_valid or shape.area < 1:
            cv2.fillPoly(mask, [poly.astype(np.int32)], 0)
            continue
        distance = shape.area * (1 - SHRINK_RATIO ** 2) / shape.length
        offset = pyclipper.PyclipperOffset()
        offset.AddPath([tuple(p) for p in poly.astype(np.int64)], pyclipper.JT_ROUND, pyclipper.ET_CLOSEDPOLYGON)
        shrunk = offset.Execute(-distance)
        if not shrunk:
            cv2.fillPoly(mask, [poly.astype(np.int32)], 0)
            continue
        cv2.fillPoly(gt, [np.array(shrunk[0], np.int32)], 1)
    return gt, mask


def det_batch(data: TaskData, idx: np.ndarray, size: int):
    """Images scaled (long side = ``size``) and padded to a square, with DB shrink targets."""
    xs, gts, masks = [], [], []
    for i in idx:
        image = data.images[i]
        scale = size / max(image.shape[:2])
        h, w = int(round(image.shape[0] * scale)), int(round(image.shape[1] * scale))
        canvas = np.zeros((size, size, 3), np.uint8)
        canvas[:h, :w] = cv2.resize(image, (w, h))
        gt, mask = shrink_map([p * scale for p in data.polygons[i]], data.dont_care[i], size)
        xs.append(normalize_det(canvas))
        gts.append(gt)
        masks.append(mask)
    return np.stack(xs), np.stack(gts)[:, None], np.stack(masks)[:, None]
