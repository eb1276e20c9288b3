"""ARM truth per model variant: does each bundle agree with the host on real Paddle-Lite ARM
kernels, and how much ARM work does it do?

For every variant (float, and the int8 / pruned model folders given with ``--variant``) the
pulled float set with that variant swapped in is converted for ``armlinux-aarch64`` and then

- verified (``edgeocr.verify``): run on the emulated arm64 device by the native runner built
  against the Paddle-Lite ARM library, compared with Paddle Inference on the same models —
  end-to-end texts and boxes, and per model the decisions taken from the raw outputs on the
  very same inputs;
- counted (``edgeocr.bench.run`` with instruction counting): dynamic aarch64 instructions per
  image and per stage, threads 1, on the first ``--count-images`` verification images.

Paddle-Lite (the default ``--runtime``) needs the v2.13-rc ARM Linux armv8 library
(``--lite-lib`` or ``$EDGEOCR_LITE_LIB``), which cannot be installed from a registry: build it
from Paddle-Lite's public source (see the README, "ARM truth"). ``--runtime onnxruntime`` runs
on ONNX Runtime's ARM Linux library from npm (``edgeocr runtimes fetch onnxruntime``), and
``--ort-quantize TASK=LABELS`` adds the variant ``ort-int8``: those float models quantized by
ONNX Runtime's static quantization. Writes ``benchmarks/results/arm_agreement.json`` (or
``--json``) and prints the table.

``--cpu sm8150`` runs everything on the emulated board as that phone CPU class (dot-product int8
kernels; ``edgeocr.device.cpu_classes``); ``--accuracy`` adds each variant's e2e/det Hmean and
rec line accuracy on held-out data (fonts and backgrounds training never sees) and the bundle's
size: the compression table of the README.

    python benchmarks/arm_agreement.py --scenes 24 --lines 6 --variant cls-pact=cls:out/cmp/cls-pact [--variant ...]
    python benchmarks/arm_agreement.py --cpu sm8150 --accuracy --variant rec-ptq=rec:out/cmp/rec-ptq \
        --json benchmarks/results/compression_arm_sm8150.json
    python benchmarks/arm_agreement.py --runtime onnxruntime --ort-quantize det=synth --ort-quantize rec=synth \
        --json benchmarks/results/arm_agreement_onnxruntime.json
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import shlex
import sys
from datetime import datetime, timezone
from pathlib import Path

from variants import parse_variant

REPO = Path(__file__).resolve().parents[1]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--variant", action="append", default=[], help="NAME=TASK:DIR[,TASK:DIR] (repeatable)")
    parser.add_argument("--models", default="ppocrv2", help="pulled model set whose float models the variants "
                                                            "start from (its family's settings apply)")
    parser.add_argument("--runtime", choices=["paddle-lite", "onnxruntime"], default="paddle-lite")
    parser.add_argument("--ort-quantize", action="append", default=[], metavar="TASK=LABELS",
                        help="onnxruntime: add the variant ort-int8 (ONNX Runtime static quantization of TASK)")
    parser.add_argument("--lite-lib", type=Path, default=os.environ.get("EDGEOCR_LITE_LIB"))
    parser.add_argument("--no-float", action="store_true",
                        help="leave out the float variant (measured in another run; no work_vs_float then)")
    parser.add_argument("--cpu", help="emulated phone CPU class (edgeocr.device.cpu_classes; sm8150: dot-product "
                                      "int8 kernels) [default: this host's cpuinfo, no dot-product kernels]")
    parser.add_argument("--accuracy", action="store_true",
                        help="also score each variant on held-out data (fonts and backgrounds training never sees, "
                             "`synth-heldout`): e2e and det Hmean on --eval-scenes scenes, rec line accuracy on "
                             "--eval-lines lines, on the host (Paddle Inference)")
    parser.add_argument("--eval-scenes", type=int, default=40)
    parser.add_argument("--eval-lines", type=int, default=300)
    parser.add_argument("--count-images", type=int, default=2)
    parser.add_argument("--scenes", type=int, default=6, help="rendered scenes in the verification set")
    parser.add_argument("--lines", type=int, default=3, help="single-line images in the verification set")
    parser.add_argument("--out", type=Path, default=REPO / "out" / "arm-agreement")
    parser.add_argument("--json", type=Path, default=REPO / "benchmarks" / "results" / "arm_agreement.json")
    args = parser.parse_args()
    os.environ.setdefault("EDGEOCR_HOME", str(REPO / "out" / "home"))

    from edgeocr.models import zoo
    from edgeocr.models.modelset import ModelSet
    from edgeocr.utils.table import markdown_table
    from edgeocr.verify.run import default_images, lite_library, native_runner, onnxruntime_library

    library = onnxruntime_library() if args.runtime == "onnxruntime" else lite_library(args.lite_lib)
    base = ModelSet.from_dir(zoo.pull(args.models))
    images = default_images(args.scenes, args.lines)
    counted = dict(list(images.items())[: args.count_images])
    arm = Arm(args.runtime, args.lite_lib, args.cpu, images, counted, *native_runner(library, log))
    rows = []
    variants = [*([] if args.no_float else [("float", {}, None)]),
                *((*parse_variant(v, "arm_agreement"), None) for v in args.variant)]
    if args.ort_quantize:
        variants.append(("ort-int8", {}, _ort_static(base, args.ort_quantize)))
    accuracy = (args.eval_scenes, args.eval_lines) if args.accuracy else None
    for name, dirs, converter in variants:
        log(f"== {name}")
        folder = args.out / (f"{args.runtime}-{args.cpu}" if args.cpu else args.runtime) / name
        rows.append({"variant": name, **measure(arm, dataclasses.replace(base, **dirs), folder, accuracy, converter)})
        _save(args, rows, library.library, images, counted)
    base_work = next((r["minsn_per_image"] for r in rows if r["variant"] == "float" and r.get("converted")), None)
    for row in rows:
        if row.get("converted") and base_work:
            row["work_vs_float"] = row["minsn_per_image"] / base_work
    shown = [{k: (f"{v:.4f}" if isinstance(v, float) else v) for k, v in r.items() if k not in ("failures", "why")}
             for r in rows]
    print(markdown_table(shown, list(dict.fromkeys(k for r in shown for k in r))))
    for r in rows:
        for f in r.get("failures", []) + ([r["why"]] if "why" in r else []):
            print(f"- {r['variant']}: {f}")
    _save(args, rows, library.library, images, counted)


@dataclasses.dataclass(frozen=True)
class Arm:
    """Where and how variants are verified and counted: runtime, emulated CPU class, image sets,
    and the native runner built against the runtime's ARM library."""

    runtime: str
    lite_lib: Path | None
    cpu: str | None
    images: dict
    counted: dict
    runner: Path
    libs: Path


def measure(arm: Arm, models, folder: Path, accuracy: tuple[int, int] | None, converter=None) -> dict:
    """One variant's row: converted for armlinux-aarch64 into ``folder``, verified, counted,
    and with ``accuracy`` = (scenes, lines) scored on held-out data on the host."""
    from edgeocr.errors import EdgeOCRError
    from edgeocr.verify.verdict import judge_record

    try:
        bundle = _converted(models, folder / "bundle", arm.runtime, converter)
    except EdgeOCRError as e:
        return {"converted": False, "why": str(e).split(":", 1)[-1].strip()[:160]}
    record = _with_noise_floor(bundle, _verified(bundle, folder / "verify", arm.lite_lib, arm.images, arm.cpu),
                               arm.images)
    work = _counted(bundle, folder / "bench", arm.runner, arm.libs, arm.counted, arm.cpu)
    verdict = judge_record(record)  # today's thresholds on the figures measured
    # accuracy of what runs on ARM, on the host: Paddle Inference on the very models converted to
    # .nb (verify proves ARM agrees); an ONNX Runtime bundle's own files on ONNX Runtime
    scored = (bundle, "onnx") if arm.runtime == "onnxruntime" else (models, "paddle")
    return {"converted": True, "passed": verdict.passed,
            "text_agreement": record["end_to_end"]["text_agreement"],
            "box_agreement": record["end_to_end"]["box_agreement"],
            **{f"{t}_decisions": a["decision_agreement"] for t, a in record["models"].items()},
            "int8": ",".join(t for t, q in record["quantized"].items() if q) or "-",
            "host_noise_rate": record["noise_floor"]["rate"] if record["noise_floor"] else None,
            "bundle_mb": sum(bundle.model_file(t).stat().st_size for t in bundle.tasks) / 1e6,
            **(_heldout_cached(folder / "heldout.json", bundle, *scored, *accuracy) if accuracy else {}),
            "minsn_per_image": work["per_image_median"] / 1e6,
            **{f"{s}_minsn": n / 1e6 for s, n in work["stages"].items()},
            "failures": list(verdict.failures)}


def _ort_static(models, specs: list[str]):
    """An ONNX Runtime converter that quantizes the tasks of ``specs`` (TASK=LABELS)."""
    from edgeocr.convert.runtimes.onnxruntime import OnnxRuntimeConverter
    from edgeocr.convert.runtimes.ort_quantize import calibration_inputs
    from edgeocr.models.charset import load_charset

    charset = load_charset(models.dict_path)
    pairs = [spec.split("=", 1) for spec in specs]
    return OnnxRuntimeConverter({task: calibration_inputs(task, labels, charset, models.config)
                                 for task, labels in pairs})


def _converted(models, out: Path, runtime: str, converter=None):
    """The variant's armlinux-aarch64 bundle; one converted earlier from the same model folders
    is reused (a new conversion writes new .nb bytes, and its verification would start over)."""
    from edgeocr.bundle import Bundle
    from edgeocr.convert.bundle import convert_bundle
    from edgeocr.errors import EdgeOCRError
    from edgeocr.targets import load_target

    try:
        bundle = Bundle.load(out)
        if bundle.runtime == runtime and all(m["source"]["dir"] == str(models.location(t))
                                             for t, m in bundle.manifest["models"].items()):
            return bundle
    except EdgeOCRError:
        pass
    return convert_bundle(models, load_target("armlinux-aarch64", runtime=runtime), out, force=True, progress=log,
                          converter=converter)


def _verified(bundle, out: Path, library: Path | None, images: dict, cpu: str | None) -> dict:
    """The verification of ``bundle``, reusing one already made of the very same bundle files
    (a long run that was stopped continues where it was)."""
    import json

    from edgeocr.device import EmulatedDevice
    from edgeocr.verify.run import verify_bundle

    done = out / "verify.json"
    if done.is_file() and bundle.manifest.get("verification", {}).get("date") == json.loads(done.read_text())["date"]:
        return json.loads(done.read_text())
    return verify_bundle(bundle.path, out, library, images, device=EmulatedDevice(cpu=cpu), log=log).record


HOST_TIMED_SCENES = 10


def _heldout_cached(path: Path, bundle, source, backend: str, scenes: int, lines: int) -> dict:
    """``_heldout_accuracy``, reused from ``path`` when it was measured on the very same bundle
    files, backend and set sizes (a rerun that only adds rows measures only those)."""
    import json

    from edgeocr.utils.atomic import write_json

    key = {"files": bundle.manifest["files"], "backend": backend, "scenes": scenes, "lines": lines}
    if path.is_file() and json.loads(path.read_text()).get("key") == key:
        return json.loads(path.read_text())["result"]
    result = _heldout_accuracy(source, backend, scenes, lines)
    write_json(path, {"key": key, "result": result})
    return result


def _heldout_accuracy(source, backend: str, scenes: int, lines: int) -> dict:
    """e2e / det Hmean and rec line accuracy of ``source`` (models or a bundle) on the host's
    ``backend``, on sets rendered in the held-out style (seeds of their own: no training or
    verification set shares texts with them), and the host's median ms per scene at threads 1."""
    import statistics

    from edgeocr.compress.data import resolve_labels
    from edgeocr.metrics.evaluate import evaluate, load_task_labels
    from edgeocr.models.charset import load_charset
    from edgeocr.ocr.backends import create_backend
    from edgeocr.ocr.image_io import read_image
    from edgeocr.ocr.system import TextSystem

    charset = load_charset(source.dict_path)
    allowed = charset.allowed()
    system = TextSystem(create_backend(backend, source, threads=os.cpu_count() or 1), charset, source.config)
    det_labels, rec_labels = resolve_labels("synth-heldout", "det", scenes, 7007), resolve_labels("synth-heldout",
                                                                                                 "rec", lines, 7008)
    e2e = evaluate("e2e", det_labels, system, allowed_chars=allowed)["metrics"]
    det = evaluate("det", det_labels, system, allowed_chars=allowed)["metrics"]
    rec = evaluate("rec", rec_labels, system, allowed_chars=allowed)["metrics"]
    timed = TextSystem(create_backend(backend, source, threads=1), charset, source.config)
    scenes_set = load_task_labels("e2e", det_labels)
    images = [read_image(scenes_set.image_path(s)) for s in scenes_set.samples[:HOST_TIMED_SCENES]]
    timed(images[0])  # warm-up
    host_ms = statistics.median(timed(im).timings_ms["total"] for im in images)
    return {"heldout_e2e_hmean": e2e["hmean"], "heldout_det_hmean": det["hmean"], "heldout_rec_acc": rec["acc"],
            "host_ms_per_image": host_ms}


def _with_noise_floor(bundle, record: dict, images: dict) -> dict:
    """``record`` with the host's noise floor of an int8 bundle; a verification stored before
    verify measured it (or measured at another noise level) gets it measured now (host only)
    on the same lossless image copies."""
    import tempfile

    from edgeocr.verify.noise_floor import RELATIVE_NOISE, noise_floor
    from edgeocr.verify.reference import host_reference
    from edgeocr.verify.run import MODE, lossless_copies

    if not any(record["quantized"].values()):
        return {**record, "noise_floor": None}
    if (record.get("noise_floor") or {}).get("relative_noise") == RELATIVE_NOISE:
        return record
    log(f"{bundle.path}: stored verification has no host noise floor; measuring it")
    with tempfile.TemporaryDirectory(prefix="arm-agreement-") as tmp:
        copies = lossless_copies(images, Path(tmp))
        floor = noise_floor(bundle, copies, host_reference(bundle, copies, MODE), MODE, log=log)
    e2e = record["end_to_end"]
    lines = e2e.get("lines") or round(e2e["same_text"] / e2e["text_agreement"])  # same_text / lines, exactly
    return {**record, "noise_floor": floor, "end_to_end": {**e2e, "lines": lines}}


def _counted(bundle, out: Path, runner: Path, libs: Path, images: dict, cpu: str | None) -> dict:
    """Instructions per image and stage at threads 1 on the emulated board (reused when done)."""
    import json

    from edgeocr import bench
    from edgeocr.bench.dataset import Dataset
    from edgeocr.device import EmulatedDevice
    from edgeocr.runner.deploy import DeployRequest
    from edgeocr.runner.payload import Payload

    board = EmulatedDevice(cpu=cpu)
    done = out / f"{board.name}.json"
    if done.is_file():
        result = json.loads(done.read_text())
        if result["status"] == "complete" and result["stamp"]["payload"]["manifest"]["files"] == bundle.manifest["files"]:
            return result["configs"][0]["work"]
    workdir = f"{board.workdir}/arm-agreement-{os.getpid()}"  # its own: another run may use the board's default
    run = bench.run(DeployRequest(Payload.of_bundle(bundle), runner, (libs,), workdir=workdir), [board],
                    Dataset("verification images", None, images, {}), out, threads=(1,), warmup=0, repeats=1,
                    cooldown_s=0, skip_parity="verified separately", count_work=True, log=log)
    run.raise_failures()
    return run.devices[0].result["configs"][0]["work"]


def _save(args, rows: list[dict], library: Path, images: dict, counted: dict) -> None:
    save_results(args.json, rows, runtime=args.runtime, cpu_class=args.cpu, library=str(library), images=len(images),
                 counted_images=len(counted))


def save_results(path: Path, rows: list[dict], **fields) -> None:
    """The rows and how they were made (``fields``, date, command, device), written atomically."""
    from edgeocr.utils.atomic import write_json

    write_json(path, {"rows": rows, **fields, "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                      "command": shlex.join(["python", *sys.argv]),
                      "device": "qemu-arm64 (qemu-user, Debian arm64 user space); counts: aarch64 instructions, "
                                "threads 1, median over the counted images"})


if __name__ == "__main__":
    main()
