"""``--variant NAME=TASK:DIR[,TASK:DIR]``: the model folders a benchmark swaps into the pulled
float set (``edgeocr quantize`` / ``prune`` write one folder per task)."""

from __future__ import annotations

import sys
from pathlib import Path

TASKS = ("det", "cls", "rec")


def parse_variant(spec: str, script: str) -> tuple[str, dict[str, Path]]:
    """``NAME=TASK:DIR[,TASK:DIR]`` -> (name, {task: dir}); a bad spec exits naming ``script``."""
    name, sep, parts = spec.partition("=")
    models = {}
    for part in parts.split(","):
        task, _, folder = part.partition(":")
        if task not in TASKS or not Path(folder).is_dir():
            sys.exit(f"{script}: --variant {spec!r}: expected NAME=TASK:DIR[,TASK:DIR] with TASK in "
                     f"{', '.join(TASKS)} and DIR a model folder")
        models[task] = Path(folder).resolve()
    if not sep or not name:
        sys.exit(f"{script}: --variant {spec!r}: missing NAME=")
    return name, models
