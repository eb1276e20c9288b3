"""Input preparation and batching of the det, cls and rec stages, against PaddleOCR's rules."""

from __future__ import annotations

import numpy as np
import pytest

from edgeocr.errors import InputError
from edgeocr.models.charset import Charset
from edgeocr.ocr.classifier import TextClassifier
from edgeocr.config import OCRConfig
from edgeocr.ocr.preprocess import DetResizeForTest, normalize_det, resize_norm_line
from edgeocr.ocr.recognizer import TextRecognizer
from tests.ocr.fakes import ScriptedBackend, pixel_value

DIGITS = Charset(chars=tuple("0123456789"))  # class of digit d is d + 1


@pytest.mark.parametrize("size, limit_type, expected", [
    ((300, 640), "max", (288, 640)),  # fits: only rounded to multiples of 32
    ((1000, 2000), "max", (480, 960)),  # long side scaled down to 960
    ((970, 500), "max", (960, 480)),
    ((10, 10), "max", (32, 32)),  # never below one stride
    ((100, 200), "min", (736, 1472)),  # short side scaled up to 736
])
def test_det_resize(size: tuple[int, int], limit_type: str, expected: tuple[int, int]) -> None:
    limit = 960 if limit_type == "max" else 736
    assert DetResizeForTest(limit, limit_type).target_size(*size) == expected


def test_det_resize_returns_resized_image_and_ratios() -> None:
    resized, (ratio_h, ratio_w) = DetResizeForTest()(np.zeros((1000, 2000, 3), np.uint8))
    assert resized.shape == (480, 960, 3) and (ratio_h, ratio_w) == (0.48, 0.48)


def test_det_normalisation_uses_imagenet_stats_on_bgr_as_read() -> None:
    image = np.array([[[255, 0, 128]]], np.uint8)  # one BGR pixel
    out = normalize_det(image)
    assert out.shape == (3, 1, 1) and out.dtype == np.float32
    expected = [(1 - 0.485) / 0.229, (0 - 0.456) / 0.224, (128 / 255 - 0.406) / 0.225]
    np.testing.assert_allclose(out[:, 0, 0], expected, rtol=1e-5)


def test_line_input_keeps_ratio_and_pads_right() -> None:
    crop = np.full((20, 50, 3), 255, np.uint8)
    out = resize_norm_line(crop, 32, 320)
    assert out.shape == (3, 32, 320)
    assert (out[:, :, :80] == 1).all() and (out[:, :, 80:] == 0).all()  # ceil(32 * 2.5) = 80 columns of text


def test_line_input_never_exceeds_the_width() -> None:
    out = resize_norm_line(np.zeros((10, 500, 3), np.uint8), 32, 320)
    assert out.shape == (3, 32, 320) and (out == -1).all()


def digit_crops(ratios: list[float], height: int = 32) -> list[np.ndarray]:
    """Crop ``i`` has width ``ratio * height`` and is filled with grey ``20 * i``."""
    return [np.full((height, int(r * height), 3), 20 * i, np.uint8) for i, r in enumerate(ratios)]


def read_digit(batch: np.ndarray) -> np.ndarray:
    """A recognizer that 'reads' crop i (grey 20*i) as the digit i, 8 time steps long."""
    probs = np.zeros((batch.shape[0], 8, DIGITS.num_classes), np.float32)
    probs[:, :, 0] = 1
    probs[np.arange(len(batch)), 0, 0] = 0
    probs[np.arange(len(batch)), 0, (pixel_value(batch, 16, 0) // 20 + 1).astype(int)] = 1
    return probs


def test_rec_batches_by_ratio_pads_to_the_widest_and_keeps_input_order() -> None:
    ratios = [3, 12, 5, 1, 20, 8, 2, 15]
    backend = ScriptedBackend({"rec": read_digit})
    results = TextRecognizer(backend, DIGITS, OCRConfig())(digit_crops(ratios))
    assert [text for text, _ in results] == [str(i) for i in range(len(ratios))]
    # sorted ratios 1,2,3,5,8,12 | 15,20; width int(32 * max ratio), at least 320
    assert backend.calls == [("rec", (6, 3, 32, 384)), ("rec", (2, 3, 32, 640))]


def test_rec_batch_width_is_at_least_the_model_width() -> None:
    recognizer = TextRecognizer(ScriptedBackend({}), DIGITS, OCRConfig())
    assert recognizer.batch_width(digit_crops([1, 4.5])) == 320
    assert recognizer.batch_width([np.zeros((48, 1000, 3), np.uint8)]) == int(32 * 1000 / 48)


def test_rec_charset_check_names_the_dictionary() -> None:
    backend = ScriptedBackend({"rec": lambda b: np.zeros((len(b), 80, 6625), np.float32)})
    recognizer = TextRecognizer(backend, Charset(chars=("a", "b"), path="/x/my_dict.txt"), OCRConfig())
    with pytest.raises(InputError, match=r"/x/my_dict.txt: 2 entries give 4 classes .* outputs 6625"):
        recognizer.check_charset()


def cls_by_grey(batch: np.ndarray) -> np.ndarray:
    """Grey 0: confidently 180; grey 100: 180 but unsure; anything else: 0 degrees."""
    grey = pixel_value(batch, 24, 0)
    p180 = np.where(grey == 0, 0.95, np.where(grey == 100, 0.85, 0.01))
    return np.stack([1 - p180, p180], axis=1).astype(np.float32)


def test_cls_rotates_only_confident_180s_in_batches_of_6() -> None:
    greys = [0, 100, 200, 0, 200, 200, 0]
    crops = []
    for g in greys:
        crop = np.full((40, 100, 3), g, np.uint8)
        crop[:3] = 255  # a white top edge shows which way up the crop is
        crops.append(crop)
    backend = ScriptedBackend({"cls": cls_by_grey})
    out, labels = TextClassifier(backend, OCRConfig())(crops)
    assert [label for label, _ in labels] == ["180", "180", "0", "180", "0", "0", "180"]
    turned = [bool((c[-1] == 255).all()) for c in out]
    assert turned == [g == 0 for g in greys]
    assert [shape for _, shape in backend.calls] == [(6, 3, 48, 192), (1, 3, 48, 192)]
    assert all((c[0] == 255).all() for c in crops)  # the caller's crops are left alone
