"""Greedy CTC decoding and the direction classifier's labels."""

from __future__ import annotations

import numpy as np
import pytest

from edgeocr.models.charset import Charset
from edgeocr.ocr.postprocess import ClsPostProcess, CTCLabelDecode

CHARSET = Charset(chars=("a", "b", "c"))  # classes: blank, a, b, c, space


def one_hot(indices: list[int], probs: list[float] | None = None, num_classes: int = 5) -> np.ndarray:
    """``[1, T, C]`` softmax-like rows whose arg-max is ``indices`` with the given probabilities."""
    probs = probs or [0.9] * len(indices)
    out = np.zeros((1, len(indices), num_classes), np.float32)
    for t, (i, p) in enumerate(zip(indices, probs)):
        out[0, t] = (1 - p) / (num_classes - 1)
        out[0, t, i] = p
    return out


@pytest.mark.parametrize("indices, text", [
    ([1, 1, 2, 2, 2, 3], "abc"),  # repeats merge
    ([1, 0, 1, 2, 0, 0, 2], "aabb"),  # a blank separates real doubles
    ([0, 1, 4, 2, 0], "a b"),  # last class is the space
    ([0, 3, 3, 0], "c"),
])
def test_decode_merges_repeats_and_drops_blanks(indices: list[int], text: str) -> None:
    assert CTCLabelDecode(CHARSET)(one_hot(indices))[0][0] == text


def test_score_is_the_mean_of_kept_characters() -> None:
    # kept: t=1 (a, 0.8), t=3 (b, 0.6); the repeat at t=2 and the blanks do not count
    (text, score), = CTCLabelDecode(CHARSET)(one_hot([0, 1, 1, 2, 0], [0.99, 0.8, 0.5, 0.6, 0.99]))
    assert text == "ab" and score == pytest.approx(0.7)


def test_all_blank_decodes_to_empty_text_with_zero_score() -> None:
    assert CTCLabelDecode(CHARSET)(one_hot([0, 0, 0])) == [("", 0.0)]


def test_batch_rows_decode_independently() -> None:
    batch = np.concatenate([one_hot([1, 0, 2]), one_hot([3, 3, 0])])
    assert [t for t, _ in CTCLabelDecode(CHARSET)(batch)] == ["ab", "c"]


def test_cls_labels_and_scores() -> None:
    probs = np.array([[0.95, 0.05], [0.2, 0.8]], np.float32)
    assert ClsPostProcess()(probs) == [("0", pytest.approx(0.95)), ("180", pytest.approx(0.8))]
