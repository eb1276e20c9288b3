"""Reading input images: what OpenCV would silently get wrong must become a clear InputError."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from edgeocr.errors import InputError
from edgeocr.ocr.image_io import collect_images, read_image


@pytest.fixture()
def picture() -> np.ndarray:
    """A small BGR picture with structure (so a truncated copy really loses pixels)."""
    rng = np.random.default_rng(0)
    return cv2.resize(rng.integers(0, 255, (12, 16, 3), dtype=np.uint8), (160, 120), interpolation=cv2.INTER_LINEAR)


@pytest.mark.parametrize("ext", [".png", ".jpg", ".bmp"])
def test_reads_bgr_like_opencv(tmp_path: Path, picture: np.ndarray, ext: str) -> None:
    path = tmp_path / f"p{ext}"
    cv2.imwrite(str(path), picture)
    image = read_image(path)
    assert image.dtype == np.uint8 and image.shape == (120, 160, 3)
    np.testing.assert_array_equal(image, cv2.imread(str(path)))


def test_grey_and_gif_images_come_back_as_bgr(tmp_path: Path, picture: np.ndarray) -> None:
    cv2.imwrite(str(tmp_path / "g.png"), picture[:, :, 0])
    Image.fromarray(np.ascontiguousarray(picture[:, :, ::-1])).save(tmp_path / "a.gif")
    assert read_image(tmp_path / "g.png").shape == (120, 160, 3)
    gif = read_image(tmp_path / "a.gif")  # OpenCV cannot read GIF: Pillow does
    assert gif.shape == (120, 160, 3)


def truncate(path: Path) -> Path:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def bad_file(kind: str, folder: Path, picture: np.ndarray) -> Path:
    """A path in ``folder`` that is not a readable image, in one of several ways."""
    if kind == "missing":
        return folder / "missing.png"
    if kind == "folder":
        return folder
    path = folder / f"{kind}.{'png' if kind == 'truncated_png' else 'jpg'}"
    if kind == "empty":
        path.write_bytes(b"")
    elif kind == "text":
        path.write_text("not a picture")
    else:
        cv2.imwrite(str(path), picture)
        truncate(path)
    return path


@pytest.mark.parametrize("kind, message", [
    ("missing", "no such file"),
    ("folder", "is a folder"),
    ("empty", "empty file"),
    ("text", "not an image"),
    ("truncated_jpg", "truncated or corrupt"),
    ("truncated_png", "truncated or corrupt"),
])
def test_bad_files_raise_input_error_naming_the_file(
    tmp_path: Path, picture: np.ndarray, kind: str, message: str
) -> None:
    path = bad_file(kind, tmp_path, picture)
    with pytest.raises(InputError, match=message) as info:
        read_image(path)
    assert str(info.value).startswith(f"{path}: ")


def test_truncated_jpeg_that_opencv_would_accept_is_refused(tmp_path: Path, picture: np.ndarray) -> None:
    path = tmp_path / "t.jpg"
    cv2.imwrite(str(path), picture)
    truncate(path)
    assert cv2.imread(str(path)) is not None  # the silent failure this guards against
    with pytest.raises(InputError, match="truncated"):
        read_image(path)


def test_collect_images_lists_a_folders_images_sorted(tmp_path: Path, picture: np.ndarray) -> None:
    for name in ("b.png", "a.JPG"):
        cv2.imwrite(str(tmp_path / name), picture)
    (tmp_path / "notes.txt").write_text("x")
    (tmp_path / "sub").mkdir()
    assert collect_images(tmp_path) == [tmp_path / "a.JPG", tmp_path / "b.png"]
    assert collect_images(tmp_path / "sub") == []
    assert collect_images(tmp_path / "missing.png") == [tmp_path / "missing.png"]
