"""Compression benchmark: for det, rec and cls, float vs PTQ vs PACT vs pruned vs pruned+PACT,
on eval sets training never saw (300 text lines, 50 detection images: the recipes' synth sets).

Accuracy (det Hmean / rec line accuracy / cls accuracy) is measured through Paddle Inference
on each exported model; parameter bytes are the exported ``inference.pdiparams`` sizes.
Prints one Markdown table and writes ``benchmarks/results/compression.json``.

    python benchmarks/compression.py                 # the recipes as shipped (long on 2 cores)
    python benchmarks/compression.py --steps 40      # every training run capped at 40 steps
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from edgeocr.compress import job
from edgeocr.compress.evaluation import METRIC
from edgeocr.compress.recipe import load_recipe
from edgeocr.models import zoo
from edgeocr.utils.atomic import write_json
from edgeocr.utils.table import markdown_table

VARIANTS = ("ptq", "pact", "prune", "prune+pact")


def run_model(task: str, out: Path, steps: int | None, variants: tuple[str, ...]) -> list[dict]:
    rows: list[dict] = []

    def recipe(method: str):
        r = load_recipe(model=task, method=method)
        return r.override("train", steps=min(steps, r.train.steps)) if steps else r

    def add(variant: str, report: dict, source_row: int) -> None:
        row = dict(report["rows"][source_row])
        row["variant"] = variant
        rows.append(row)

    log = lambda m: print(m, file=sys.stderr, flush=True)  # noqa: E731
    if "ptq" in variants:
        report = job.quantize(task, recipe("ptq"), out / f"{task}-ptq", log=log)
        add("float", report, 0)
        add("ptq int8", report, 1)
    if "pact" in variants:
        report = job.quantize(task, recipe("pact"), out / f"{task}-pact", log=log)
        if not rows:
            add("float", report, 0)
        add("pact int8", report, 1)
    if "prune" in variants or "prune+pact" in variants:
        report = job.prune(task, recipe("prune"), out / f"{task}-prune", log=log)
        add(f"pruned {report['compression']['prune']['flops_reduction']:.0%} FLOPs", report, 2)
        if "prune+pact" in variants:
            pq = job.quantize(task, recipe("pact"), out / f"{task}-prune-pact", source=out / f"{task}-prune", log=log)
            add("pruned + pact int8", pq, 1)
    base = next(r for r in rows if r["variant"] == "float")
    for r in rows:
        r["delta"] = round(r[METRIC[task]] - base[METRIC[task]], 4)
        r["metric"] = METRIC[task]
        r["value"] = r.pop(METRIC[task])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="det,rec,cls")
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--steps", type=int, help="cap every training run at this many steps")
    parser.add_argument("--out", type=Path, default=Path("out/bench-compression"))
    parser.add_argument("--json", type=Path, default=Path("benchmarks/results/compression.json"))
    args = parser.parse_args()
    zoo.pull("ppocrv2")
    t0 = time.perf_counter()
    rows = []
    for task in args.models.split(","):
        rows += run_model(task, args.out, args.steps, tuple(args.variants.split(",")))
    columns = ["model", "variant", "metric", "value", "delta", "params", "pdiparams_MB", "MFLOPs", "wall_s"]
    print(markdown_table(rows, columns))
    write_json(args.json, {"rows": rows, "steps_cap": args.steps, "seconds": round(time.perf_counter() - t0, 1),
                           "host": platform.platform(), "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                           "command": " ".join(sys.argv)})


if __name__ == "__main__":
    main()
