"""Training throughput by number of data-parallel processes: steps and samples per second of
``edgeocr quantize`` (PACT) at the recipe's global batch, for 1, 2, ... CPU ranks (gloo over
loopback), or GPUs with ``--gpus`` on a machine with a CUDA build of Paddle.

Each configuration is the real command (``--nproc N``), run one after the other on the same
machine with the same recipe, steps and data; the figures are the job's own training log
(samples counted over all ranks, wall time of the training loop), so evaluation and start-up
are not in them. Prints a table and writes ``benchmarks/results/scaling.json``.

    python benchmarks/scaling.py --model rec --steps 20 --nproc 1 2 --one-process-threads 2
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import subprocess
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", choices=["det", "cls", "rec"], default="rec")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--nproc", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--gpus", nargs="*", default=[], help="GPU lists to run too, e.g. 0 0,1 0,1,2,3")
    parser.add_argument("--train", default=str(REPO / "out" / "sample" / "rec" / "labels.txt"))
    parser.add_argument("--eval", default=str(REPO / "out" / "sample" / "rec-eval" / "labels.txt"))
    parser.add_argument("--threads", type=int, default=1, help="CPU threads per rank")
    parser.add_argument("--one-process-threads", type=int, nargs="*", default=[],
                        help="also 1 process with this many threads each (the alternative use of the same cores)")
    parser.add_argument("--json", type=Path, default=REPO / "benchmarks" / "results" / "scaling.json")
    args = parser.parse_args()
    os.environ.setdefault("EDGEOCR_HOME", str(REPO / "out" / "home"))
    from edgeocr.utils.atomic import write_json
    from edgeocr.utils.table import markdown_table

    edgeocr = str(Path(sys.executable).parent / "edgeocr")
    configs = [("cpu", ["--nproc", str(n), "--threads", str(args.threads)], n) for n in args.nproc]
    configs += [("cpu", ["--nproc", "1", "--threads", str(t)], 1) for t in args.one_process_threads]
    configs += [("gpu", ["--gpus", g], len(g.split(","))) for g in args.gpus]
    rows = []
    for device, option, ranks in configs:
        with tempfile.TemporaryDirectory(prefix="scaling-") as tmp:
            cmd = [edgeocr, "quantize", "--model", args.model, "--steps", str(args.steps), "--train", args.train,
                   "--eval", args.eval, "--out", f"{tmp}/out", *option]
            print(f"== {shlex.join(cmd)}", file=sys.stderr, flush=True)
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
            training = json.loads(Path(f"{tmp}/out/report.json").read_text())["compression"]["training"]
        rows.append({"device": device, "ranks": ranks, "option": " ".join(option), "steps": training["steps"],
                     "seconds": training["seconds"], "steps_per_s": round(training["steps"] / training["seconds"], 3),
                     "samples_per_s": training["samples_per_s"]})
    for r in rows:
        r["speedup_vs_1"] = round(r["steps_per_s"] / rows[0]["steps_per_s"], 2)
    print(markdown_table(rows, list(rows[0])))
    write_json(args.json, {"rows": rows, "model": args.model, "method": "pact",
                           "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                           "command": shlex.join(["python", *sys.argv]),
                           "hardware": f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs"})


if __name__ == "__main__":
    main()
