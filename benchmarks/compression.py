"""Compression benchmark: for det, rec and cls, float vs PTQ vs PACT vs pruned vs pruned+PACT,
on eval sets training never saw (300 text lines, 50 detection images: the recipes' synth sets).

"float fine-tuned" is the control: PACT's fine-tuning (same recipe, data, steps, seed) without
quantization. Fine-tuning on rendered data like the eval set gains accuracy by itself, so
PACT against the released float model mixes that gain with the cost of int8; against the
control it is the cost of int8 alone. The targets table gives both.

Accuracy (det Hmean / rec line accuracy / cls accuracy) is measured through Paddle Inference
on each exported model; parameter bytes are the exported ``inference.pdiparams`` sizes.
Prints one Markdown table of results and one of the targets they meet or miss, and writes
both to ``benchmarks/results/compression.json``. ``wall_s`` is a run's compression time
(sensitivity analysis, training or calibration, export) without the two evaluations.

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

VARIANTS = ("ptq", "finetune", "pact", "prune", "prune+pact")


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
    if "finetune" in variants:  # the float control: PACT's fine-tuning without quantization
        folder, r = out / f"{task}-finetune", recipe("pact")
        report = _reuse_or_run(folder, r, None, lambda: job.finetune(task, r, folder, log=log))
        if not rows:
            add("float", report, 0)
        add("float fine-tuned", report, 1)
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


# The targets: (model, what, variant measured, its reference, the least acceptable delta).
ACCURACY_TARGETS = [
    ("rec", "PACT int8 within 1 point of float", "pact int8", "float", -0.01),
    ("cls", "PACT int8 within 0.5 point of float", "pact int8", "float", -0.005),
    ("det", "PACT int8 within 1 point of float", "pact int8", "float", -0.01),
    ("det", "pruned + PACT within 2 points of float", "pruned + pact int8", "float", -0.02),
    *[(m, "PACT no worse than PTQ", "pact int8", "ptq int8", 0.0) for m in ("det", "rec", "cls")],
    # The same bounds against float fine-tuned the same way: what quantization alone costs.
    ("rec", "PACT int8 within 1 point of float fine-tuned alike", "pact int8", "float fine-tuned", -0.01),
    ("cls", "PACT int8 within 0.5 point of float fine-tuned alike", "pact int8", "float fine-tuned", -0.005),
    ("det", "PACT int8 within 1 point of float fine-tuned alike", "pact int8", "float fine-tuned", -0.01),
]
RECIPE_SECONDS = 15 * 60


def check_targets(rows: list[dict]) -> list[dict]:
    """One row per target that the measured rows allow to check: what was reached, met or not."""
    found = {(r["model"], r["variant"].split(" (")[0]): r for r in rows}
    pruned = {r["model"]: r for r in rows if r["variant"].startswith("pruned ") and "pact" not in r["variant"]}
    out = []
    for model, what, variant, reference, least in ACCURACY_TARGETS:
        if (model, variant) in found and (model, reference) in found:
            delta = found[model, variant]["value"] - found[model, reference]["value"]
            out.append({"model": model, "target": what, "reached": f"{delta:+.4f}", "met": delta >= least - 1e-9})
    if "det" in pruned:
        reduction = 1 - pruned["det"]["MFLOPs"] / found["det", "float"]["MFLOPs"]
        out.append({"model": "det", "target": "pruned by >= 30% FLOPs", "reached": f"{reduction:.1%}",
                    "met": reduction >= 0.3})
    timed = [r for r in rows if r.get("wall_s") is not None]
    if timed:
        slowest = max(timed, key=lambda r: r["wall_s"])
        out.append({"model": "all", "target": f"every recipe run within {RECIPE_SECONDS} s on this machine",
                    "reached": f"slowest {slowest['wall_s']:.0f} s ({slowest['model']} {slowest['variant']})",
                    "met": slowest["wall_s"] <= RECIPE_SECONDS})
    return out


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
    targets = check_targets(rows)
    print(markdown_table(targets))
    write_json(args.json, {"rows": rows, "targets": targets, "steps_cap": args.steps,
                           "seconds": round(time.perf_counter() - t0, 1),
                           "host": platform.platform(), "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                           "command": " ".join(sys.argv)})


if __name__ == "__main__":
    main()
