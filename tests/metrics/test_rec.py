"""Recognition scores on hand-computed cases (PaddleOCR ``RecMetric`` semantics)."""

from __future__ import annotations

import pytest

from edgeocr.metrics.rec import edit_distance, normalized_edit_distance, rec_metrics


@pytest.mark.parametrize(
    "a,b,d",
    [("", "", 0), ("abc", "", 3), ("kitten", "sitting", 3), ("中山路", "中山北路", 1), ("abc", "abc", 0), ("ab", "ba", 2)],
)
def test_edit_distance(a: str, b: str, d: int) -> None:
    assert edit_distance(a, b) == d
    assert edit_distance(b, a) == d


def test_normalized_by_the_longer_string() -> None:
    assert normalized_edit_distance("kitten", "sitting") == pytest.approx(3 / 7)
    assert normalized_edit_distance("", "") == 0.0
    assert normalized_edit_distance("", "ab") == 1.0


def test_rec_metrics_by_hand() -> None:
    preds = ["中山路", "Free WiFi", "2021-0l-05", ""]
    labels = ["中山路", "FreeWiFi", "2021-01-05", "出口"]
    result = rec_metrics(preds, labels)
    # exact after removing spaces: lines 0 and 1; distances 0, 0, 1/10, 2/2
    assert result["acc"] == pytest.approx(0.5)
    assert result["norm_edit_dis"] == pytest.approx(1 - (0 + 0 + 0.1 + 1) / 4)
    assert (result["correct"], result["lines"]) == (2, 4)


def test_keep_spaces() -> None:
    result = rec_metrics(["Free WiFi"], ["FreeWiFi"], ignore_space=False)
    assert result["acc"] == 0.0
    assert result["norm_edit_dis"] == pytest.approx(1 - 1 / 9)


def test_no_lines_and_length_mismatch() -> None:
    assert rec_metrics([], [])["acc"] == 0.0
    with pytest.raises(ValueError):
        rec_metrics(["a"], [])
