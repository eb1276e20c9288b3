"""``edgeocr convert`` and ``edgeocr inspect``: bundles (Paddle-Lite or ONNX Runtime) and what is inside them."""

from __future__ import annotations

import json
from pathlib import Path

import click

from edgeocr.bundle import MANIFEST, Bundle
from edgeocr.convert.bundle import convert_bundle
from edgeocr.cli.deploy_cmd import log
from edgeocr.convert.runtimes import CONVERTERS, converter_for
from edgeocr.convert.runtimes.onnxruntime import OnnxRuntimeConverter
from edgeocr.convert.runtimes.ort_quantize import calibration_inputs
from edgeocr.models.charset import load_charset
from edgeocr.device.emulated import EmulatedDevice
from edgeocr.errors import EdgeOCRError, InputError
from edgeocr.models.modelset import ModelSet
from edgeocr.targets import Target, list_targets, load_target
from edgeocr.verify.run import LITE_LIB_ENV, CannotVerify, arm_runtime, verify_bundle
from edgeocr.utils.table import markdown_table


@click.command("convert")
@click.option("--target", "target_name", required=True, help="Target profile, e.g. arm64-v8a (see targets/).")
@click.option("--runtime", type=click.Choice(sorted(CONVERTERS)), default=None,
              help="Runtime to convert for [default: the target's first, paddle-lite].")
@click.option("--models", "set_name", default="ppocrv2", show_default=True, help="Pulled model set to convert.")
@click.option("--from", "from_dir", type=click.Path(file_okay=False), help="Model-set folder (det/ cls/ rec/ + dictionary).")
@click.option("--det", type=click.Path(), help="det inference folder or .pdparams checkpoint.")
@click.option("--cls", "cls_model", type=click.Path(), help="cls inference folder or .pdparams checkpoint.")
@click.option("--rec", type=click.Path(), help="rec inference folder or .pdparams checkpoint.")
@click.option("--dict", "dict_path", type=click.Path(), help="rec dictionary.")
@click.option("--out", type=click.Path(file_okay=False), help="Bundle folder [default: out/bundle-TARGET].")
@click.option("--force", is_flag=True, help="Replace a different bundle already in --out.")
@click.option("--verify/--no-verify", "verify", default=None,
              help="Run the bundle on real ARM kernels and hold it to the host (`edgeocr verify`) [default: for arm64 "
                   f"targets whenever the runtime's ARM library is at hand (Paddle-Lite: --lite-lib / ${LITE_LIB_ENV}; "
                   "ONNX Runtime: fetched at set-up) and the emulated board is set up].")
@click.option("--lite-lib", type=click.Path(exists=True, path_type=Path), envvar=LITE_LIB_ENV,
              help="Paddle-Lite ARM Linux release for --verify.")
@click.option("--ort-quantize", "ort_quantize", multiple=True, metavar="TASK=LABELS",
              help="--runtime onnxruntime: quantize this float model with ONNX Runtime's static QDQ quantization, "
                   "calibrated on LABELS (a PaddleOCR label file, or synth); repeatable, e.g. rec=synth.")
def convert(target_name: str, runtime: str | None, set_name: str, from_dir: str | None, det: str | None,
            cls_model: str | None, rec: str | None, dict_path: str | None, out: str | None, force: bool,
            verify: bool | None, lite_lib: Path | None, ort_quantize: tuple[str, ...]) -> None:
    """Convert det/cls/rec for TARGET (Paddle-Lite .nb or ONNX Runtime .onnx files) and write a deploy bundle."""
    target = load_target(target_name, runtime=runtime)
    if from_dir and (det or cls_model or rec):
        raise InputError("use either --from or --det/--cls/--rec, not both")
    models = (ModelSet.from_dir(from_dir) if from_dir else
              ModelSet.load(set_name, det=det, cls_model=cls_model, rec=rec, dict_path=dict_path))
    suffix = "" if target.runtime == target.runtimes[0] else f"-{target.runtime.name}"
    out_dir = Path(out or f"out/bundle-{target.name}{suffix}")
    converter = _ort_static_converter(target, models, ort_quantize) if ort_quantize else None
    bundle = convert_bundle(models, target, out_dir, force=force, progress=log, converter=converter)
    click.echo(f"bundle written to {out_dir}")
    why_not = _why_not_verify(target, lite_lib) if verify is not False else "--no-verify"
    if why_not is None:
        result = verify_bundle(out_dir, lite_lib=lite_lib, log=log)
        bundle = Bundle.load(out_dir, verify=False)  # just checked by verify: re-read for its verdict
        click.echo(_bundle_table(bundle))
        result.raise_if_failed()
        return
    if verify:
        raise CannotVerify(f"{out_dir}: cannot verify: {why_not}")
    log(f"not verified on ARM kernels: {why_not}")
    click.echo(_bundle_table(bundle))


def _ort_static_converter(target: Target, models: ModelSet, specs: tuple[str, ...]) -> OnnxRuntimeConverter:
    if target.runtime.name != "onnxruntime":
        raise InputError("--ort-quantize quantizes ONNX Runtime bundles: add --runtime onnxruntime")
    calibration = {}
    for spec in specs:
        task, sep, labels = spec.partition("=")
        if not sep or task not in ("det", "cls", "rec") or not labels:
            raise InputError(f"--ort-quantize {spec!r}: expected TASK=LABELS with TASK det, cls or rec")
        log(f"{task}: calibration inputs from {labels}")
        calibration[task] = calibration_inputs(task, labels, load_charset(models.dict_path), models.config)
    return OnnxRuntimeConverter(calibration)


def _why_not_verify(target: Target, lite_lib: Path | None) -> str | None:
    """Why the automatic verification does not run here (None: it runs)."""
    if target.arch != "aarch64":
        return f"target {target.name} is {target.arch}; verification runs arm64 bundles"
    try:
        arm_runtime(target.runtime.name, lite_lib)
        EmulatedDevice().require_ready()
    except EdgeOCRError as e:
        return str(e)
    return None


def _bundle_rows(bundle: Bundle) -> list[dict]:
    rows = []
    converter = converter_for(bundle.runtime)
    made = bundle.manifest["converter"]
    made_by = f"{made['tool']} {made.get('tool_version', made['version'])}"
    for task, entry in bundle.manifest["models"].items():
        info = converter.describe(bundle.model_file(task))
        rows.append({"model": task, "file": entry["file"], "MB": info.size_bytes / 1e6, "target": info.target,
                     "converter": made_by, "quantized": entry["quantized"],
                     **{f"{p} kernels": info.precision_counts().get(p, 0) for p in ("float", "int8")},
                     **({"runtime int8 kernels": entry["ort_int8_kernels"]} if "ort_int8_kernels" in entry else {}),
                     "repairs": ", ".join(f"{r['op']} x{r['count']}" for r in entry["repairs"]) or "-"})
    rows.append({"model": "total", "file": "", "MB": sum(r["MB"] for r in rows)})
    return rows


def _bundle_table(bundle: Bundle) -> str:
    rows = _bundle_rows(bundle)
    columns = list(dict.fromkeys(k for r in rows for k in r))
    return f"{markdown_table(rows, columns)}\n{verification_line(bundle)}"


def verification_line(bundle: Bundle) -> str:
    """Whether the bundle ran on ARM kernels and agreed with the host (``edgeocr verify``)."""
    v = bundle.manifest.get("verification")
    if not v:
        return "ARM verification: none (not run on ARM kernels; `edgeocr verify BUNDLE`)"
    e2e = v["end_to_end"]
    verdict = "PASSED" if v["passed"] else "FAILED: " + "; ".join(v["failures"])
    return (f"ARM verification: {verdict} ({v['date']}, {v['runtime']['name']} {v['runtime']['version']} on {v['device'].split(':')[0]}, "
            f"{v['images']} images, text agreement {e2e['text_agreement']:.2%}{_floor(v.get('noise_floor'))})")


def _floor(floor: dict | None) -> str:
    """The host's noise floor of an int8 bundle (verifications from before it have none)."""
    return f", host under noise: {floor['rate']:.2%} of lines differ" if floor else ""


@click.command("inspect")
@click.argument("path", type=click.Path(exists=True))
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def inspect(path: str, as_json: bool) -> None:
    """Show target, converter version, ops and int8/float kernel counts of a bundle, .nb or .onnx file."""
    p = Path(path)
    if p.is_dir():
        if not (p / MANIFEST).is_file():
            raise InputError(f"{p}: not a bundle (no {MANIFEST}) and not an .nb or .onnx file")
        bundle = Bundle.load(p)
        if as_json:
            converter = converter_for(bundle.runtime)
            manifest = {**bundle.manifest,
                        "model_files": {t: converter.describe(bundle.model_file(t)).to_json() for t in bundle.tasks}}
            click.echo(json.dumps(manifest, indent=2, ensure_ascii=False))
        else:
            click.echo(_bundle_table(bundle))
        return
    info = converter_for("onnxruntime" if p.suffix == ".onnx" else "paddle-lite").describe(p)
    if as_json:
        click.echo(json.dumps(info.to_json(), indent=2))
        return
    click.echo(f"{p}: {info.size_bytes / 1e6:.2f} MB, target {info.target}, converter {info.converter_version}")
    click.echo(f"kernel precisions: {info.precision_counts()}")
    click.echo(markdown_table(info.to_json().get("kernels") or
                              [{"op": op, "nodes": n} for op, n in sorted(info.ops.items())]))


@click.command("targets")
def targets() -> None:
    """List the target profiles."""
    click.echo(markdown_table([{**t.to_json(), "description": t.description} for t in list_targets()]))


COMMANDS = [convert, inspect, targets]
