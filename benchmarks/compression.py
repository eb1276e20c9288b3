"""Compression benchmark: for det, rec and cls, float vs PTQ vs PACT vs pruned vs pruned+PACT,
on eval sets training never saw (300 text lines, 50 detection images: the recipes' synth sets).

Accuracy (det Hmean / rec line accuracy / cls accuracy) is measured through Paddle Inference
on each exported model; parameter bytes are the exported ``inference.pdiparams`` sizes.
Prints one Markdown table and writes ``benchmarks/results/compression.json``.

    python benchmarks/compression.py                 # the recipes as shipped (long on 2 cores)
    python benchmarks/compression.py --steps 40      # every training run capped at 40 steps

A model folder whose ``report.json`` was made with the same recipe is reused, not rebuilt,
so an interrupted benchmark continues where it stopped.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from edgeocr.compress import job
from edgeocr.compress.evaluation import METRIC
from edgeocr.compress.recipe import load_recipe, parse_recipe
from edgeocr.models import zoo
from edgeocr.utils.atomic import write_json
from edgeocr.utils.table import markdown_table

VARIANTS = ("ptq", "pact", "prune", "prune+pact")


def _reuse_or_run(folder: Path, recipe, source: Path | None, run) -> dict:
    """The existing report if ``folder`` was built with this recipe from this source, else ``run()``."""
    report_file = folder / "report.json"
    if report_file.is_file():
        report = json.loads(report_file.read_text(encoding="utf-8"))
        same_source = source is None or report.get("source") == str(source)
        # Parsed back into a Recipe: keys added since (with their defaults) do not count as changes.
        if parse_recipe(report["recipe"], str(report_file)).to_json() == recipe.to_json() and same_source:
            print(f"{folder}: reusing its report (same recipe)", file=sys.stderr)
            return report
    return run()


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
    def quantize(method: str, name: str, source: Path | None = None) -> dict:
        folder, r = out / name, recipe(method)
        return _reuse_or_run(folder, r, source, lambda: job.quantize(task, r, folder, source=source, log=log))

    if "ptq" in variants:
        report = quantize("ptq", f"{task}-ptq")
        add("float", report, 0)
        add("ptq int8", report, 1)
    if "pact" in variants:
        report = quantize("pact", f"{task}-pact")
        if not rows:
            add("float", report, 0)
        add("pact int8", report, 1)
    if "prune" in variants or "prune+pact" in variants:
        folder, r = out / f"{task}-prune", recipe("prune")
        report = _reuse_or_run(folder, r, None, lambda: job.prune(task, r, folder, log=log))
        add(f"pruned {report['compression']['prune']['flops_reduction']:.0%} FLOPs", report, 2)
        if "prune+pact" in variants:
            add("pruned + pact int8", quantize("pact", f"{task}-prune-pact", source=folder), 1)
    metric = METRIC[task]
    base = next(r for r in rows if r["variant"] == "float")[metric]
    for r in rows:
        r["metric"], r["value"] = metric, r.pop(metric)
        r["delta"] = round(r["value"] - base, 4)
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
