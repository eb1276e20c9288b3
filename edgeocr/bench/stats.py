"""Latency statistics: the same seven figures for every stage, configuration and device.

Percentiles interpolate linearly between the two nearest samples (numpy's default, the
"type 7" of Hyndman and Fan), so p99 of 100 samples is not simply the largest one. ``std``
is the sample standard deviation (n - 1 in the denominator; 0 for a single sample). Null
samples (``rec_per_line`` of an image without text) are left out and not counted in ``n``.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence

import numpy as np

FIGURES = ("min", "median", "mean", "p90", "p99", "max", "std")


def summarize(samples: Iterable[float | None]) -> dict[str, float | int | None]:
    """``n`` and ``FIGURES`` of ``samples`` in their unit (all None when there is none)."""
    values = np.array([v for v in samples if v is not None], dtype=np.float64)
    if values.size == 0:
        return {"n": 0, **dict.fromkeys(FIGURES)}
    p90, p99 = np.percentile(values, [90, 99])
    return {
        "n": int(values.size),
        "min": float(values.min()),
        "median": float(np.median(values)),
        "mean": float(values.mean()),
        "p90": float(p90),
        "p99": float(p99),
        "max": float(values.max()),
        "std": float(values.std(ddof=1)) if values.size > 1 else 0.0,
    }


def stage_samples(images: Sequence[Mapping[str, Any]], stage: str) -> list[float | None]:
    """Every timed run's ``stage`` time over all images of a runner result, image by image."""
    return [run[stage] for image in images for run in image["runs_ms"]]


def stage_stats(images: Sequence[Mapping[str, Any]], stages: Sequence[str]) -> dict[str, dict[str, Any]]:
    """``stage -> summarize(all runs of all images)``."""
    return {stage: summarize(stage_samples(images, stage)) for stage in stages}
