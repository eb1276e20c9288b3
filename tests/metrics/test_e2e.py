"""End-to-end text scores on hand-computed cases."""

from __future__ import annotations

import pytest

from edgeocr.metrics.det import Counts
from edgeocr.metrics.e2e import e2e_counts, e2e_metrics
from tests.metrics.test_det import box


def test_hit_needs_location_and_text() -> None:
    gt = [(box(0, 0, 100, 20), "中山路"), (box(0, 50, 100, 70), "出口"), (box(0, 100, 100, 120), "Free WiFi")]
    pred = [
        (box(1, 1, 99, 19), "中山路"),  # located and read: hit
        (box(0, 50, 100, 70), "出囗"),  # located, misread
        (box(0, 100, 100, 120), "FreeWiFi"),  # spaces ignored by default: hit
        (box(300, 0, 400, 20), "中山路"),  # right text in the wrong place: false positive
    ]
    assert e2e_counts(gt, pred) == Counts(hits=2, gt=3, pred=4)
    assert e2e_counts(gt, pred, ignore_space=False).hits == 1


def test_dont_care_regions() -> None:
    gt = [(box(0, 0, 100, 20), "###"), (box(0, 50, 100, 70), "出口")]
    pred = [(box(0, 0, 100, 20), "whatever"), (box(0, 50, 100, 70), "出口")]
    assert e2e_counts(gt, pred) == Counts(hits=1, gt=1, pred=1)


def test_edge_cases() -> None:
    assert e2e_counts([], []) == Counts(0, 0, 0)
    assert e2e_counts([(box(0, 0, 10, 10), "a")], []) == Counts(0, 1, 0)
    assert e2e_counts([], [(box(0, 0, 10, 10), "a")]) == Counts(0, 0, 1)
    assert e2e_counts([(box(0, 0, 10, 10), "###")], []) == Counts(0, 0, 0)


def test_metrics_over_images() -> None:
    images = [
        ([(box(0, 0, 10, 10), "a"), (box(20, 0, 30, 10), "b")], [(box(0, 0, 10, 10), "a"), (box(20, 0, 30, 10), "x")]),
        ([(box(0, 0, 10, 10), "c")], []),
    ]
    result = e2e_metrics(images)
    assert (result["correct"], result["gt"], result["pred"]) == (1, 3, 2)
    assert result["precision"] == pytest.approx(0.5)
    assert result["recall"] == pytest.approx(1 / 3)
    assert result["hmean"] == pytest.approx(0.4)
