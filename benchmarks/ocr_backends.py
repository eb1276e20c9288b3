"""End-to-end OCR latency per image and per stage, Paddle Inference vs ONNX Runtime (and the
Paddle-Lite x86 runtime on a float bundle), side by side on the same images and thread count.

Backends are interleaved image by image (not run one after the other), so machine noise
hits them alike; the table reports medians and p90 over images x repeats, and the ratio of
medians to Paddle Inference. Writes ``benchmarks/results/ocr_backends.json``.

    python benchmarks/ocr_backends.py --images out/sample/det/images --threads 2 --repeats 3
"""

from __future__ import annotations

import argparse
import platform
import sys
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from edgeocr.convert.bundle import convert_bundle
from edgeocr.convert.manifest import bundle_model_set
from edgeocr.convert.targets import load_target
from edgeocr.models import zoo
from edgeocr.models.charset import load_charset
from edgeocr.models.modelset import ModelSet
from edgeocr.ocr.backends import create_backend
from edgeocr.ocr.image_io import collect_images, read_image
from edgeocr.ocr.result import STAGES
from edgeocr.ocr.system import TextSystem
from edgeocr.utils.atomic import write_json
from edgeocr.utils.table import markdown_table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=Path, default=Path("out/sample/det/images"))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--bundle", type=Path, default=Path("out/bundle-x86_64"), help="x86_64 float bundle (made if missing)")
    parser.add_argument("--json", type=Path, default=Path("benchmarks/results/ocr_backends.json"))
    args = parser.parse_args()
    zoo.pull("ppocrv2")
    models = ModelSet.load("ppocrv2")
    if not (args.bundle / "manifest.json").is_file():
        convert_bundle(models, load_target("x86_64"), args.bundle)
    charset = load_charset(models.dict_path)
    systems = {name: TextSystem(create_backend(name, m, args.threads), charset)
               for name, m in (("paddle", models), ("onnx", models), ("lite", bundle_model_set(args.bundle)))}
    images = [read_image(p) for p in collect_images(args.images)]
    samples: dict[str, dict[str, list[float]]] = {n: {s: [] for s in STAGES} for n in systems}
    texts: dict[str, list[list[str]]] = {n: [] for n in systems}
    for r in range(args.repeats):
        for i, image in enumerate(images):
            for name, system in systems.items():
                result = system(image)
                for stage in STAGES:
                    samples[name][stage].append(result.timings_ms[stage])
                if r == 0:
                    texts[name].append(result.texts)
            print(f"repeat {r + 1}/{args.repeats} image {i + 1}/{len(images)}", file=sys.stderr, end="\r")
    rows = []
    base = float(np.median(samples["paddle"]["total"]))
    for name in systems:
        row = {"backend": name}
        for stage in STAGES:
            row[f"{stage} p50"] = round(float(np.median(samples[name][stage])), 1)
        row["total p90"] = round(float(np.percentile(samples[name]["total"], 90)), 1)
        row["total vs paddle"] = round(float(np.median(samples[name]["total"])) / base, 2)
        row["same text as paddle"] = sum(a == b for a, b in zip(texts[name], texts["paddle"]))
        rows.append(row)
    print(f"\n{len(images)} images x {args.repeats} repeats, {args.threads} threads, times in ms")
    print(markdown_table(rows))
    write_json(args.json, {"rows": rows, "images": len(images), "repeats": args.repeats, "threads": args.threads,
                           "host": platform.platform(), "processor": platform.processor(),
                           "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                           "command": " ".join(sys.argv), "note": "lite = Paddle-Lite x86 runtime (pip), float bundle"})


if __name__ == "__main__":
    main()
