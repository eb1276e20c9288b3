"""End-to-end OCR latency per image and per stage, Paddle Inference vs ONNX Runtime (and the
Paddle-Lite x86 runtime on a float bundle), side by side on the same images and thread count.

Timed with the runner contract's measuring code (``edgeocr.runner.measure``): images decoded
first, every backend warmed up on each image before its timed runs (``--warmup``), and the
backends interleaved run by run (not one after the other), so machine noise hits them alike.
The table reports medians and p90 over images x repeats, and the ratio of medians to Paddle
Inference. Writes ``benchmarks/results/ocr_backends.json``.

    python benchmarks/ocr_backends.py --images out/sample/det/images --threads 2 --warmup 1 --repeats 3
"""

from __future__ import annotations

import argparse
import platform
import sys
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from edgeocr.bundle import Bundle
from edgeocr.config import OCRConfig
from edgeocr.convert.bundle import convert_bundle
from edgeocr.models import zoo
from edgeocr.models.modelset import ModelSet
from edgeocr.ocr.image_io import collect_images, read_image
from edgeocr.runner.contract import STAGES
from edgeocr.runner.measure import make_system, run_once
from edgeocr.targets import load_target
from edgeocr.utils.atomic import write_json
from edgeocr.utils.table import markdown_table

MODE = "det_cls_rec"
SHOWN = [s for s in STAGES[MODE] if s != "rec_per_line"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=Path, default=Path("out/sample/det/images"))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--bundle", type=Path, default=Path("out/bundle-x86_64"), help="x86_64 float bundle (made if missing)")
    parser.add_argument("--json", type=Path, default=Path("benchmarks/results/ocr_backends.json"))
    args = parser.parse_args()
    zoo.pull("ppocrv2")
    models = ModelSet.load("ppocrv2")
    if not (args.bundle / "manifest.json").is_file():
        convert_bundle(models, load_target("x86_64"), args.bundle)
    bundle = Bundle.load(args.bundle)
    systems = {name: make_system(name, source, config, args.threads, MODE)
               for name, source, config in (("paddle", models, OCRConfig()), ("onnx", models, OCRConfig()),
                                            ("lite", bundle, bundle.config))}
    images = [read_image(p) for p in collect_images(args.images)]
    samples: dict[str, dict[str, list[float]]] = {n: {s: [] for s in SHOWN} for n in systems}
    texts: dict[str, list[list[str]]] = {n: [] for n in systems}
    for i, image in enumerate(images):
        for name, system in systems.items():
            for _ in range(args.warmup):
                run_once(system, image, MODE)
        for r in range(args.repeats):
            for name, system in systems.items():
                lines, timings = run_once(system, image, MODE)
                for stage in SHOWN:
                    samples[name][stage].append(timings[stage])
                if r == 0:
                    texts[name].append([line.text for line in lines])
        print(f"image {i + 1}/{len(images)}", file=sys.stderr, end="\r")
    rows = []
    base = float(np.median(samples["paddle"]["total"]))
    for name in systems:
        row = {"backend": name}
        for stage in SHOWN:
            row[f"{stage} p50"] = round(float(np.median(samples[name][stage])), 1)
        row["total p90"] = round(float(np.percentile(samples[name]["total"], 90)), 1)
        row["total vs paddle"] = round(float(np.median(samples[name]["total"])) / base, 2)
        row["same text as paddle"] = sum(a == b for a, b in zip(texts[name], texts["paddle"]))
        rows.append(row)
    print(f"\n{len(images)} images x ({args.warmup} warm-up + {args.repeats} timed) runs, {args.threads} threads, "
          "times in ms")
    print(markdown_table(rows))
    write_json(args.json, {"rows": rows, "images": len(images), "warmup": args.warmup, "repeats": args.repeats,
                           "threads": args.threads, "host": platform.platform(), "processor": platform.processor(),
                           "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                           "command": " ".join(sys.argv), "note": "lite = Paddle-Lite x86 runtime (pip), float bundle"})


if __name__ == "__main__":
    main()
