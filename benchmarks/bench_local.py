"""Benchmark float and quantized PP-OCRv2 on this host, as ``edgeocr bench --local`` does.

Rows, each one ``edgeocr.bench.run`` on this host (its own folder of results):

- ``lite-float``: the pulled models converted for x86_64 (``--target x86_64``), run by the
  Python runner on the pip Paddle-Lite runtime — the deployment path, on this host;
- ``paddle-float``: the same float inference models on Paddle Inference (``--models``);
- ``paddle-<variant>``: quantized (or pruned) models on Paddle Inference. The x86 Lite
  runtime cannot run int8 correctly, so int8 is measured against float *on the same
  runtime*: the comparison is paddle-<variant> vs paddle-float (the report's baseline).

A variant replaces some of the float models with compressed ones (``edgeocr quantize`` and
``edgeocr prune`` write one model folder per task): ``--variant pact-rec=rec:out/compress/rec-pact``.
Without ``--variant`` every ``out/compress/*`` folder with a compression manifest becomes one;
with none found the script says so and measures the float rows only — no invented rows.

All latency here is host latency (transport ``local``), not a phone's; the results say so.
The comparison (``edgeocr report``'s table, built from the returned rows, never from printed
text) is written to ``<out>/report.md`` and, with how it was made, to ``<out>/RESULTS.md``.

    .venv/bin/python benchmarks/bench_local.py [--data LABELS] [--variant NAME=TASK:DIR[,TASK:DIR]]...
        [--threads 1,2] [--warmup 2] [--repeats 5] [--out benchmarks/results/local]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import sys
from datetime import datetime, timezone
from pathlib import Path

from variants import TASKS, parse_variant

REPO = Path(__file__).resolve().parents[1]


def found_variants(root: Path) -> list[tuple[str, dict[str, Path]]]:
    """Compressed model folders the compressor left under ``root`` (one task each)."""
    variants = []
    for manifest in sorted(root.glob("*/manifest.json")):
        meta = json.loads(manifest.read_text(encoding="utf-8"))
        if meta.get("task") in TASKS and meta.get("compression"):
            variants.append((manifest.parent.name, {meta["task"]: manifest.parent.resolve()}))
    return variants


def compose(float_set: Path, replace: dict[str, Path], folder: Path) -> Path:
    """A model-set folder: the float models with ``replace``'s tasks swapped in (symlinks)."""
    folder.mkdir(parents=True, exist_ok=True)
    for task in TASKS:
        source = replace.get(task, float_set / task)
        link = folder / task
        if link.is_symlink():
            link.unlink()
        if source.is_dir():
            link.symlink_to(source)
    for dictionary in float_set.glob("*.txt"):
        link = folder / dictionary.name
        if not link.exists():
            link.symlink_to(dictionary)
    return folder


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, help="det label file [default: out/sample/det, rendered if missing]")
    parser.add_argument("--variant", action="append", default=[], help="NAME=TASK:DIR[,TASK:DIR] (repeatable)")
    parser.add_argument("--compressed", type=Path, default=REPO / "out" / "compress",
                        help="where to look for compressed models without --variant")
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "local")
    args = parser.parse_args()
    os.environ.setdefault("EDGEOCR_HOME", str(REPO / "out" / "home"))  # as the Makefile sets it

    from edgeocr import bench
    from edgeocr.bench.dataset import load_dataset
    from edgeocr.bench.report import table, with_ratios, write_comparison
    from edgeocr.cli.report_cmd import COLUMNS
    from edgeocr.convert.bundle import convert_bundle
    from edgeocr.data.synth import synthesize
    from edgeocr.device import LocalDevice
    from edgeocr.models import zoo
    from edgeocr.models.charset import load_charset
    from edgeocr.models.modelset import ModelSet
    from edgeocr.runner.deploy import DeployRequest
    from edgeocr.runner.payload import Payload
    from edgeocr.targets import load_target

    float_set = zoo.pull("ppocrv2")
    models = ModelSet.from_dir(float_set)
    data = args.data
    if data is None:
        data = REPO / "out" / "sample" / "det" / "labels.txt"
        if not data.is_file():  # what `make sample` renders
            synthesize("det", count=12, seed=11, out=data.parent)
    dataset = load_dataset(data, "det", allowed_chars=load_charset(models.dict_path).allowed())
    variants = [parse_variant(v, "bench_local") for v in args.variant] or found_variants(args.compressed)
    notes = []
    if not variants:
        notes.append(f"No quantized or pruned models were given (--variant) or found under {args.compressed}: "
                     "float rows only.")
    out = args.out.resolve()
    bundle = convert_bundle(models, load_target("x86_64"), REPO / "out" / "bundle-x86_64", force=True, progress=log)
    runs = [("lite-float", Payload.of_bundle(bundle)), ("paddle-float", Payload.models(float_set))]
    runs += [(f"paddle-{name}", Payload.models(compose(float_set, replace, REPO / "out" / "bench-models" / name)))
             for name, replace in variants]
    threads = [int(t) for t in args.threads.split(",")]
    rows, baseline, results = [], None, []
    for name, payload in runs:
        log(f"== {name}")
        run = bench.run(DeployRequest(payload, python=sys.executable), [LocalDevice()], dataset, out / name,
                        threads=threads, warmup=args.warmup, repeats=args.repeats, cooldown_s=5.0,
                        command=shlex.join(sys.argv), log=log)
        run.raise_failures()
        if name == "paddle-float":
            baseline = len(rows)  # int8 and float compared on one runtime (x86 Lite cannot run int8)
        rows += run.rows
        results += [(d.path, d.result) for d in run.devices]
    rows = with_ratios(rows, baseline)
    write_comparison(out, rows, results)
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    text = [
        "# bench_local: PP-OCRv2 on this host", "",
        f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC on {platform.node()}: {cpu}, {os.cpu_count()} CPUs visible.",
        f"All latency is host latency (transport local), not a phone's. Ratios are against row {baseline + 1} "
        "(paddle-float, the first thread count): "
        "int8 and float compared on one runtime, because the x86 Paddle-Lite runtime cannot run int8 correctly.",
        *notes, "", table(rows, COLUMNS), "", f"Command: `{shlex.join(['python', *sys.argv])}`", "",
    ]
    (out / "RESULTS.md").write_text("\n".join(text), encoding="utf-8")
    print("\n".join(text))


if __name__ == "__main__":
    main()
