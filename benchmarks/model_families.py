"""PaddleOCR families side by side (PP-OCRv2, v3, v4, v5), float and int8, on each runtime:
which one should a phone run?

Per family (its pulled set, its own settings) and runtime, each variant is converted for
armlinux-aarch64, verified on the emulated board (ARM kernels against the host), counted there
(aarch64 instructions per image, threads 1, det + cls + rec with pre/post-processing) and scored
on the host on held-out data (fonts and backgrounds no training set uses), with the host's median
latency per image at threads 1 — ``arm_agreement.measure`` for every cell, so the figures mean
the same as in the compression table. Variants:

- ``float``: the released models;
- ``int8`` (Paddle-Lite): det and rec quantized by PaddleSlim PTQ, ``--int8 FAMILY=det:DIR,rec:DIR``
  (``edgeocr quantize --method ptq --models FAMILY``); the classifier stays float;
- ``int8`` (ONNX Runtime): det and rec quantized by ONNX Runtime's static quantization
  calibrated on rendered data (``--ort-quantize``), also for the ONNX-only PP-OCRv5.

PP-OCRv5 has no Paddle-Lite row: its weights ship on the registries as ONNX only.

    python benchmarks/model_families.py --cpu sm8150 \\
        --int8 ppocrv3=det:out/fam/ppocrv3-det-ptq,rec:out/fam/ppocrv3-rec-ptq \\
        --int8 ppocrv4=det:out/fam/ppocrv4-det-ptq,rec:out/fam/ppocrv4-rec-ptq \\
        --int8 ppocrv2=det:out/cmp/det-ptq,rec:out/cmp/rec-ptq
"""

from __future__ import annotations

import argparse
import dataclasses
import os
from pathlib import Path

from arm_agreement import Arm, log, measure, save_results
from variants import parse_variant

REPO = Path(__file__).resolve().parents[1]
FAMILIES = ("ppocrv2", "ppocrv3", "ppocrv4", "ppocrv5")
SHOWN = ("family", "runtime", "variant", "int8", "passed", "bundle_mb", "minsn_per_image", "work_vs_v2_float",
         "heldout_e2e_hmean", "heldout_det_hmean", "heldout_rec_acc", "host_ms_per_image")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--families", nargs="+", default=list(FAMILIES), choices=FAMILIES)
    parser.add_argument("--runtimes", nargs="+", default=["paddle-lite", "onnxruntime"],
                        choices=["paddle-lite", "onnxruntime"])
    parser.add_argument("--int8", action="append", default=[], metavar="FAMILY=TASK:DIR[,TASK:DIR]",
                        help="Paddle-Lite int8 variant of FAMILY (PaddleSlim PTQ model folders)")
    parser.add_argument("--ort-quantize", nargs="+", default=["det", "rec"],
                        help="tasks ONNX Runtime's static quantization makes int8 (calibrated on `synth`)")
    parser.add_argument("--lite-lib", type=Path, default=os.environ.get("EDGEOCR_LITE_LIB"))
    parser.add_argument("--cpu", default="sm8150", help="emulated phone CPU class (edgeocr.device.cpu_classes)")
    parser.add_argument("--scenes", type=int, default=4, help="rendered scenes in the verification set")
    parser.add_argument("--lines", type=int, default=2, help="single-line images in the verification set")
    parser.add_argument("--count-images", type=int, default=2)
    parser.add_argument("--eval-scenes", type=int, default=40)
    parser.add_argument("--eval-lines", type=int, default=300)
    parser.add_argument("--out", type=Path, default=REPO / "out" / "model-families")
    parser.add_argument("--json", type=Path, default=REPO / "benchmarks" / "results" / "model_families.json")
    args = parser.parse_args()
    os.environ.setdefault("EDGEOCR_HOME", str(REPO / "out" / "home"))

    from edgeocr.models import zoo
    from edgeocr.models.modelset import ModelSet
    from edgeocr.utils.table import markdown_table
    from edgeocr.verify.run import default_images, lite_library, native_runner, onnxruntime_library

    int8 = {}
    for spec in args.int8:
        fam, _, rest = spec.partition("=")
        int8[fam] = parse_variant(f"int8={rest}", "model_families")[1]
    images = default_images(args.scenes, args.lines)
    counted = dict(list(images.items())[: args.count_images])
    rows: list[dict] = []
    for runtime in args.runtimes:
        library = onnxruntime_library() if runtime == "onnxruntime" else lite_library(args.lite_lib)
        arm = Arm(runtime, args.lite_lib, args.cpu, images, counted, *native_runner(library, log))
        for fam in args.families:
            base = ModelSet.from_dir(zoo.pull(fam, progress=log))
            for variant, models, converter in _variants(fam, runtime, base, int8, args.ort_quantize):
                log(f"== {fam} {runtime} {variant}")
                folder = args.out / f"{runtime}-{args.cpu}" / fam / variant
                rows.append({"family": fam, "runtime": runtime, "variant": variant,
                             **measure(arm, models, folder, (args.eval_scenes, args.eval_lines), converter)})
                _save(args, rows, images, counted)
    v2 = {r["runtime"]: r["minsn_per_image"] for r in rows
          if r["family"] == "ppocrv2" and r["variant"] == "float" and r.get("converted")}
    for r in rows:
        if r.get("converted") and r["runtime"] in v2:
            r["work_vs_v2_float"] = r["minsn_per_image"] / v2[r["runtime"]]
    _save(args, rows, images, counted)
    shown = [{k: (f"{r[k]:.3f}" if isinstance(r.get(k), float) else r.get(k, "")) for k in SHOWN} for r in rows]
    print(markdown_table(shown, list(SHOWN)))
    for r in rows:
        for f in r.get("failures", []) + ([r["why"]] if "why" in r else []):
            print(f"- {r['family']} {r['runtime']} {r['variant']}: {f}")


def _variants(fam: str, runtime: str, base, int8: dict, ort_tasks: list[str]):
    """(name, models, converter) of every variant of family ``fam`` on ``runtime``."""
    if runtime == "paddle-lite":
        if not all(base.has_paddle_model(t) for t in ("det", "cls", "rec") if base.has(t)):
            return  # ONNX only (PP-OCRv5): Paddle-Lite converts Paddle programs
        yield "float", base, None
        if fam in int8:
            yield "int8", dataclasses.replace(base, **int8[fam]), None
        return
    from edgeocr.convert.runtimes.onnxruntime import OnnxRuntimeConverter
    from edgeocr.convert.runtimes.ort_quantize import calibration_inputs
    from edgeocr.models.charset import load_charset

    yield "float", base, None
    charset = load_charset(base.dict_path)
    yield "int8", base, OnnxRuntimeConverter({t: calibration_inputs(t, "synth", charset, base.config)
                                              for t in ort_tasks})


def _save(args, rows: list[dict], images: dict, counted: dict) -> None:
    save_results(args.json, rows, cpu_class=args.cpu, images=len(images), counted_images=len(counted),
                 eval={"scenes": args.eval_scenes, "lines": args.eval_lines, "style": "synth-heldout",
                       "host": "this machine, threads 1 for host_ms_per_image"})


if __name__ == "__main__":
    main()
