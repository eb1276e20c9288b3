"""Paddle-Lite vs ONNX Runtime, float and int8, on the same models and data in one run:
rec line accuracy and end-to-end Hmean on evaluation images no training or calibration saw,
bundle size, and host latency (median of interleaved repeats).

Variants (each an ``edgeocr convert`` bundle of the pulled PP-OCRv2 set):
- ``lite float``: x86 ``.nb`` run by the pip Paddle-Lite runtime;
- ``lite int8 (PTQ rec)``: the arm64 ``.nb`` of the shipped PaddleSlim PTQ rec recipe; Paddle-Lite's
  x86 int8 kernels are wrong, so its accuracy is Paddle Inference on the same int8 model, which
  ``edgeocr verify`` holds the ARM kernels to; no host latency;
- ``ort float``: ``.onnx`` exports run by ONNX Runtime;
- ``ort int8 (static det+rec)``: ONNX Runtime's own static QDQ quantization of det and rec,
  calibrated on the training renders (``--ort-quantize``).

ARM work (aarch64 instructions per image and per stage, threads 1, on the emulated board with
each runtime's real ARM library) is measured by ``benchmarks/arm_agreement.py`` — which also
verifies each bundle against the host — and joined in from its JSON files (``--arm``, one per
runtime). Writes ``benchmarks/results/runtimes.json``.

    edgeocr data synth --kind det --count 12 --seed 13 --out out/sample/det-eval   # held out (make sample: the rest)
    python benchmarks/runtimes.py --rec-ptq out/cmp/rec-ptq --calib out/sample/rec/labels.txt \\
        --calib-det out/sample/det/labels.txt --rec-eval out/sample/rec-eval/labels.txt \\
        --det-eval out/sample/det-eval/labels.txt --arm benchmarks/results/arm_agreement.json \
        --arm benchmarks/results/arm_agreement_onnxruntime.json
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from edgeocr.bundle import Bundle
from edgeocr.convert.bundle import convert_bundle
from edgeocr.convert.runtimes.onnxruntime import OnnxRuntimeConverter
from edgeocr.convert.runtimes.ort_quantize import calibration_inputs
from edgeocr.metrics.evaluate import evaluate, load_task_labels
from edgeocr.models import zoo
from edgeocr.models.charset import load_charset
from edgeocr.models.modelset import ModelSet
from edgeocr.ocr.backends import create_backend
from edgeocr.ocr.image_io import read_image
from edgeocr.ocr.system import TextSystem
from edgeocr.targets import load_target
from edgeocr.utils.atomic import write_json
from edgeocr.utils.table import markdown_table


#: host variant -> (runtime, arm_agreement variant) whose ARM figures it takes
ARM_VARIANTS = {"lite float": ("paddle-lite", "float"), "lite int8 (PTQ rec)": ("paddle-lite", "rec-ptq"),
                "ort float": ("onnxruntime", "float")}


def arm_figures(files: list[Path]) -> dict[tuple[str, str], dict]:
    """(runtime, variant) -> its arm_agreement row, from the given JSON files."""
    import json

    found = {}
    for path in files:
        data = json.loads(path.read_text(encoding="utf-8"))
        for row in data["rows"]:
            found[(data.get("runtime", "paddle-lite"), row["variant"])] = row
    return found


def bundles(models: ModelSet, rec_ptq: Path, calib: dict[str, str], out: Path) -> dict[str, dict]:
    """name -> {bundle, backend, accuracy source} for every variant."""
    charset = load_charset(models.dict_path)
    ort_int8 = OnnxRuntimeConverter({t: calibration_inputs(t, labels, charset, models.config) for t, labels in calib.items()})
    lite_int8 = convert_bundle(ModelSet.load(models.name, rec=rec_ptq), load_target("arm64-v8a"), out / "lite-int8",
                               force=True)
    return {
        "lite float": {"bundle": convert_bundle(models, load_target("x86_64"), out / "lite-float", force=True),
                       "backend": "lite"},
        "lite int8 (PTQ rec)": {"bundle": lite_int8, "backend": "paddle",
                                "source": ModelSet.load(models.name, rec=rec_ptq)},
        "ort float": {"bundle": convert_bundle(models, load_target("x86_64", runtime="onnxruntime"), out / "ort-float",
                                               force=True), "backend": "onnx"},
        f"ort int8 (static {'+'.join(sorted(calib))})": {
            "bundle": convert_bundle(models, load_target("x86_64", runtime="onnxruntime"), out / "ort-int8",
                                     force=True, converter=ort_int8), "backend": "onnx"},
    }


def latency_ms(systems: dict[str, TextSystem], images: list, repeats: int) -> dict[str, float]:
    """Median end-to-end ms per image for each system, repeats interleaved so load drifts hit all alike."""
    times: dict[str, list[float]] = {name: [] for name in systems}
    for name, system in systems.items():  # warm-up
        system(images[0])
    for _ in range(repeats):
        for image in images:
            for name, system in systems.items():
                start = time.perf_counter()
                system(image)
                times[name].append(1e3 * (time.perf_counter() - start))
    return {name: statistics.median(t) for name, t in times.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rec-ptq", type=Path, required=True, help="PaddleSlim PTQ rec model (edgeocr quantize --method ptq)")
    ap.add_argument("--calib", required=True, help="rec label file (or synth) for ONNX Runtime's rec calibration")
    ap.add_argument("--calib-det", required=True, help="det label file (or synth) for ONNX Runtime's det calibration")
    ap.add_argument("--rec-eval", required=True, help="held-out rec label file")
    ap.add_argument("--det-eval", required=True, help="held-out det label file")
    ap.add_argument("--arm", type=Path, action="append", default=[], help="arm_agreement.py JSON (repeatable)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--out", type=Path, default=Path("out/bench-runtimes"))
    ap.add_argument("--json", type=Path, default=Path("benchmarks/results/runtimes.json"))
    args = ap.parse_args()

    models = ModelSet.load("ppocrv2") if zoo.is_pulled("ppocrv2") else sys.exit("run `edgeocr models pull ppocrv2`")
    variants = bundles(models, args.rec_ptq, {"rec": args.calib, "det": args.calib_det}, args.out)
    charset = load_charset(models.dict_path)
    rec_labels = load_task_labels("rec", args.rec_eval)
    det_labels = load_task_labels("e2e", args.det_eval)
    rows, systems = [], {}
    for name, v in variants.items():
        bundle: Bundle = v["bundle"]
        source = v.get("source", bundle)
        system = TextSystem(create_backend(v["backend"], source, args.threads), charset, bundle.config)
        print(f"{name}: evaluating", file=sys.stderr)
        rec = evaluate("rec", rec_labels, system)["metrics"]
        e2e = evaluate("e2e", det_labels, system)["metrics"]
        if v["backend"] != "paddle":
            systems[name] = system
        rows.append({"variant": name, "runtime": bundle.runtime, "int8 models": ",".join(bundle.quantized_tasks()) or "-",
                     "MB": sum(bundle.model_file(t).stat().st_size for t in bundle.tasks) / 1e6,
                     "rec line acc": rec["acc"], "e2e hmean": e2e["hmean"],
                     "accuracy on": "Paddle Inference (same int8 model)" if v["backend"] == "paddle" else v["backend"]})
    images = [read_image(det_labels.image_path(s)) for s in det_labels.samples]
    print("host latency: interleaved repeats", file=sys.stderr)
    lat = latency_ms(systems, images, args.repeats)
    arm = arm_figures(args.arm)
    for row in rows:
        row["host ms/image (p50)"] = lat.get(row["variant"])
        key = ARM_VARIANTS.get(row["variant"], ("onnxruntime", "ort-int8") if row["variant"].startswith("ort int8")
                               else None)
        figures = arm.get(key, {}) if key else {}
        row["ARM verified"] = figures.get("passed")
        for stage in ("det_infer", "cls", "rec"):
            row[f"ARM {stage} Minsn"] = figures.get(f"{stage}_minsn")
        row["ARM Minsn/image"] = figures.get("minsn_per_image")
    columns = ["variant", "runtime", "int8 models", "MB", "rec line acc", "e2e hmean", "ARM verified",
               "ARM det_infer Minsn", "ARM cls Minsn", "ARM rec Minsn", "ARM Minsn/image", "host ms/image (p50)",
               "accuracy on"]
    print(markdown_table(rows, columns))
    write_json(args.json, {"command": " ".join(sys.argv), "threads": args.threads, "repeats": args.repeats,
                           "arm": [str(a) for a in args.arm],
                           "rec_eval": args.rec_eval, "det_eval": args.det_eval, "rows": rows})


if __name__ == "__main__":
    main()
