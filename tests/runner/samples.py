"""Runner results made by hand: valid ones to break in contract tests, and entries with
chosen lines and times for the bench statistics, accuracy and report tests."""

from __future__ import annotations

from typing import Any, Sequence

from edgeocr.runner.contract import SCHEMA, STAGES


def box(x: float, y: float, w: float, h: float) -> list[list[float]]:
    return [[x, y], [x + w, y], [x + w, y + h], [x, y + h]]


def line(text: str, at: tuple[float, float, float, float], score: float = 0.9) -> dict[str, Any]:
    return {"box": box(*at), "text": text, "score": score}


def entry(name: str, lines: Sequence[dict[str, Any]], totals: Sequence[float] = (10.0,), mode: str = "det_cls_rec",
          warmup: int = 0) -> dict[str, Any]:
    """An image entry whose runs take ``totals`` ms (every other stage takes 1 ms)."""
    runs = [{stage: (t if stage == "total" else 1.0) for stage in STAGES[mode]} for t in totals]
    return {"image": name, "height": 100, "width": 200, "lines": list(lines), "consistent": True,
            "warmup_ms": [20.0] * warmup, "runs_ms": runs}


def result(images: Sequence[dict[str, Any]], mode: str = "det_cls_rec", warmup: int = 0) -> dict[str, Any]:
    """A contract result around ``images`` (their run counts must agree)."""
    return {
        "schema": SCHEMA,
        "runner": {"name": "hand-made", "version": "0", "backend": "lite"},
        "runtime_version": "v2.13-rc",
        "options": {"bundle": "/b", "images": "/i", "out": "/o.json", "threads": 1, "power_mode": "high",
                    "warmup": warmup, "repeats": len(images[0]["runs_ms"]), "mode": mode},
        "applied": {"threads": True, "power_mode": True},
        "notes": [],
        "init_ms": 12.5,
        "peak_rss_kb": 2048,
        "drop_score": 0.5,
        "images": list(images),
    }
