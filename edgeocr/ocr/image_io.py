"""Reading input images the way PaddleOCR does (OpenCV, BGR, EXIF-rotated), but loudly.

``cv2.imread`` returns ``None`` for a missing or undecodable file and silently returns a
half-grey picture for a truncated JPEG, so every file is also fully decoded by Pillow,
whose decoders refuse truncated data. Pillow also supplies what OpenCV cannot read (GIF).
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from edgeocr.errors import InputError

#: Extensions picked up from a folder: PaddleOCR's ``get_image_file_list`` set, plus WebP.
IMAGE_EXTENSIONS = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".gif", ".rgb", ".webp"})


def read_image(path: str | os.PathLike) -> np.ndarray:
    """Return the image at ``path`` as an HxWx3 BGR uint8 array, or raise ``InputError``."""
    p = Path(path)
    if not p.exists():
        raise InputError(f"{p}: no such file")
    if p.is_dir():
        raise InputError(f"{p}: is a folder, not an image")
    try:
        data = p.read_bytes()
    except OSError as e:
        raise InputError(f"{p}: cannot read file ({e.strerror or e})") from e
    if not data:
        raise InputError(f"{p}: empty file")
    pil_image = _decode_with_pillow(p, data)
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if image is None and pil_image is not None:
        image = np.ascontiguousarray(np.asarray(pil_image.convert("RGB"))[:, :, ::-1])
    if image is None:
        raise InputError(f"{p}: not an image (neither OpenCV nor Pillow can decode it)")
    if image.shape[0] < 1 or image.shape[1] < 1:
        raise InputError(f"{p}: image has no pixels")
    return image


def _decode_with_pillow(p: Path, data: bytes) -> Image.Image | None:
    """Fully decode ``data`` with Pillow to catch truncation; None if Pillow does not know the format."""
    try:
        image = Image.open(io.BytesIO(data))
    except Exception:  # UnidentifiedImageError, or a format plugin choking on the header
        return None
    try:
        image.load()
    except Exception as e:  # OSError("image file is truncated"), SyntaxError for broken PNG chunks, ...
        raise InputError(f"{p}: truncated or corrupt image ({e})") from e
    return image


def collect_images(path: str | os.PathLike) -> list[Path]:
    """The images ``path`` names: itself if it is not a folder, else the folder's image
    files (by extension, not recursive, sorted) - possibly none."""
    p = Path(path)
    if not p.is_dir():
        return [p]
    return sorted(f for f in p.iterdir() if f.is_file() and f.suffix.lower() in IMAGE_EXTENSIONS)
