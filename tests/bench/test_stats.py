"""Latency statistics: the seven figures, checked by hand and against numpy's definitions."""

from __future__ import annotations

import numpy as np
import pytest

from edgeocr.bench.stats import FIGURES, stage_stats, summarize
from tests.runner.samples import entry


def test_figures_by_hand() -> None:
    s = summarize([4.0, 1.0, 3.0, 2.0, None])
    assert s == {"n": 4, "min": 1.0, "median": 2.5, "mean": 2.5, "p90": pytest.approx(3.7), "p99": pytest.approx(3.97),
                 "max": 4.0, "std": pytest.approx(np.sqrt(5 / 3))}


def test_figures_match_numpy_on_a_long_tail() -> None:
    values = np.random.default_rng(3).lognormal(3.0, 0.5, 1000)
    s = summarize(values.tolist())
    assert s["p99"] == pytest.approx(np.percentile(values, 99)) and s["p99"] < values.max()
    assert s["std"] == pytest.approx(values.std(ddof=1))


def test_degenerate_inputs() -> None:
    assert summarize([7.0]) == {"n": 1, **dict.fromkeys(FIGURES[:-1], 7.0), "std": 0.0}
    assert summarize([None, None]) == {"n": 0, **dict.fromkeys(FIGURES)}


def test_stage_stats_pool_every_run_of_every_image() -> None:
    images = [entry("a", [], (10.0, 30.0)), entry("b", [], (20.0,) * 2)]
    stats = stage_stats(images, ["det_infer", "total"])
    assert stats["total"]["n"] == 4 and stats["total"]["median"] == 20.0 and stats["total"]["max"] == 30.0
    assert stats["det_infer"]["mean"] == 1.0
