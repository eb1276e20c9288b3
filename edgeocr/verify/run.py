"""``edgeocr verify``: run a bundle on real ARM kernels and hold it to the host.

A bundle is verified when it ran on ARM kernels and agreed with the host — not when its file
holds int8 kernels. So: the native runner of the bundle's runtime, built against that
runtime's ARM Linux library — Paddle-Lite's, which the user names (it comes from no registry),
or ONNX Runtime's, fetched from npm at set-up — runs the bundle on the emulated arm64 device
(``edgeocr.device.emulated``, qemu-user) over a small image set, recording every model call;
the host then runs the same models (``edgeocr.verify.reference``) on the same images, end to
end, and on every recorded model input. ``verdict`` judges both; the verdict and its figures go into the bundle's manifest
(``verification``), which ``inspect`` shows.

The set of images by default (``default_images``) is rendered once into the model home: a
few scenes plus single-line images, so that a predictor sees the classifier's batch switch
between one crop and several — what broke the int8 classifier on ARM.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import shlex
import shutil
import tempfile
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Mapping

import cv2

from edgeocr.bundle import MANIFEST, Bundle
from edgeocr.device.emulated import EmulatedDevice
from edgeocr.device.sync import push_folder
from edgeocr.errors import EdgeOCRError, InputError
from edgeocr.models.charset import load_charset
from edgeocr.ocr.backends import create_backend
from edgeocr.ocr.backends.recording import Recording
from edgeocr.paths import home
from edgeocr.targets import load_target
from edgeocr.runner.deploy import DeployRequest, deploy
from edgeocr.runner import ort_release
from edgeocr.runner.native_build import build_runner, check_lite_release, native_dir
from edgeocr.runner.payload import Payload
from edgeocr.runner.remote import run_remote
from edgeocr.utils.atomic import atomic_dir, write_json, write_text
from edgeocr.utils.hashing import sha256_file
from edgeocr.utils.table import markdown_table
from edgeocr.verify.noise_floor import RUNS as NOISE_RUNS, noise_floor
from edgeocr.verify.outputs import compare_outputs
from edgeocr.verify.parity import parity
from edgeocr.verify.reference import host_reference, reference_models
from edgeocr.verify.verdict import Verdict, judge

LITE_LIB_ENV = "EDGEOCR_LITE_LIB"
TARGET = "armlinux-aarch64"  # the runner's build; the .nb kernels are the same for Android arm64
MODE = "det_cls_rec"
Log = Callable[[str], None]


class VerificationFailed(EdgeOCRError):
    """The bundle ran on ARM and disagreed with the host; the message names the model and input."""


class CannotVerify(EdgeOCRError):
    """Nothing could be run on ARM kernels (no ARM library, no emulated device)."""

    exit_code = 3


@dataclass(frozen=True)
class Verification:
    bundle: Path
    verdict: Verdict
    record: dict[str, Any]  # what goes into the manifest
    out: Path

    def raise_if_failed(self) -> None:
        if not self.verdict.passed:
            raise VerificationFailed(f"{self.bundle}: ARM disagrees with the host:\n  " +
                                     "\n  ".join([*self.verdict.failures,
                                                  *(f"hint: {h}" for h in self.record["hints"])]))


@dataclass(frozen=True)
class ArmRuntime:
    """The ARM Linux library a bundle's runtime runs on here, and how ``build_runner`` takes it."""

    name: str
    version: str
    library: Path            # the library file (hashed into the runner's cache key)
    build: dict[str, Any]    # build_runner keyword arguments naming it

    def to_json(self) -> dict[str, str]:
        return {"name": self.name, "library": str(self.library), "version": self.version}


def lite_library(lite_lib: str | os.PathLike | None) -> ArmRuntime:
    """The Paddle-Lite ARM Linux release to build the runner against: ``lite_lib`` or
    ``$EDGEOCR_LITE_LIB``, checked as ``build-runner`` checks it; none is ``CannotVerify``
    saying what is missing."""
    found = lite_lib or os.environ.get(LITE_LIB_ENV)
    if not found:
        raise CannotVerify(f"no Paddle-Lite ARM library: pass --lite-lib or set {LITE_LIB_ENV} to a Paddle-Lite "
                           "v2.13-rc ARM Linux armv8 release (its cxx/ folder, with extra ops); nothing was run on ARM "
                           "kernels, so nothing is verified")
    release = check_lite_release(found, load_target(TARGET))
    return ArmRuntime("paddle-lite", release.version, release.library, {"lite_lib": release.cxx_dir})


def onnxruntime_library() -> ArmRuntime:
    """ONNX Runtime's ARM Linux library as ``edgeocr runtimes fetch onnxruntime`` fetched it."""
    target = load_target(TARGET, runtime="onnxruntime")
    library = ort_release.NpmRef.parse(target.runtime.release).local() / target.runtime.library
    if not library.is_file():
        raise CannotVerify(f"ONNX Runtime's ARM Linux library is not fetched ({library}): run 'edgeocr runtimes fetch "
                           "onnxruntime' (npm); nothing was run on ARM kernels, so nothing is verified")
    try:
        version = ort_release.check_library(library, target)
    except ort_release.OrtReleaseError as e:
        raise CannotVerify(str(e)) from None
    return ArmRuntime("onnxruntime", version, library, {"runtime": "onnxruntime"})


def arm_runtime(runtime: str, lite_lib: str | os.PathLike | None) -> ArmRuntime:
    """The library the runner for bundles of ``runtime`` is built against (``CannotVerify``: none)."""
    return onnxruntime_library() if runtime == ort_release.RUNTIME else lite_library(lite_lib)


def default_images(scenes: int = 6, lines: int = 3) -> dict[str, Path]:
    """The verification images, rendered once (fixed seeds) into the model home: ``scenes``
    photo-like scenes (about four text lines each) and ``lines`` single-line images. The
    default is small enough for ``convert --verify``; an agreement percentage needs more lines
    than one line in a hundred can move (``benchmarks/arm_agreement.py --scenes 24``)."""
    from edgeocr.data.synth import synthesize
    from edgeocr.ocr.image_io import collect_images

    folder = home() / "verify" / ("images" if (scenes, lines) == (6, 3) else f"images-{scenes}-{lines}")
    if not (folder / "done").is_file():
        with atomic_dir(folder, replace=True) as tmp:
            rendered = [synthesize("det", out=tmp / "scenes", count=scenes, seed=11)]
            if lines:
                rendered.append(synthesize("rec", out=tmp / "lines", count=lines, seed=9))
            files = [p for r in rendered for p in collect_images(Path(r) / "images")]
            for i, path in enumerate(files):
                shutil.copyfile(path, tmp / f"{i:02d}{path.suffix}")
            for part in ("scenes", "lines"):
                shutil.rmtree(tmp / part, ignore_errors=True)
            (tmp / "done").write_text("rendered by edgeocr verify\n")
    return {p.name: p for p in sorted(folder.iterdir()) if p.suffix in (".jpg", ".png")}


def _sources_key(runtime: ArmRuntime) -> str:
    """What a built runner depends on: the runtime, its library and every native source file."""
    h = hashlib.sha256(f"{runtime.name}:{sha256_file(runtime.library)}".encode())
    for path in sorted(p for p in native_dir().rglob("*") if p.is_file()):
        h.update(f"{path.relative_to(native_dir())}:{sha256_file(path)}".encode())
    return h.hexdigest()[:16]


def native_runner(runtime: ArmRuntime, log: Log) -> tuple[Path, Path]:
    """The native runner for ARM Linux, built once per runtime library and source state (cached)."""
    out = home() / "verify" / "runner" / _sources_key(runtime)
    built = [p for p in out.glob(f"{TARGET}*/edgeocr-runner") if p.is_file()]
    if not built:
        log(f"building the native runner for {TARGET} against {runtime.name} {runtime.version} ({runtime.library})")
        built = [build_runner(TARGET, out, log=log, **runtime.build) / "edgeocr-runner"]
    return built[0], built[0].parent / "lib"


def _check_images(images: Mapping[str, Path]) -> None:
    """Every image readable, before anything slow starts."""
    for path in images.values():
        if cv2.imread(str(path)) is None:
            raise InputError(f"{path}: not an image the verification can read")


def verify_bundle(bundle_dir: str | os.PathLike, out: str | os.PathLike | None = None,
                  lite_lib: str | os.PathLike | None = None, images: Mapping[str, Path] | None = None,
                  device: EmulatedDevice | None = None, noise_runs: int = NOISE_RUNS,
                  log: Log = lambda _: None) -> Verification:
    """Run the bundle at ``bundle_dir`` on ARM kernels and compare with the host; the verdict
    (also recorded in the bundle's manifest; files ``verify.json``/``verify.md`` in ``out``,
    by default ``<bundle>.verify/``). A bundle with an int8 model is also held to the host's
    noise floor, measured with ``noise_runs`` perturbed host runs (0: none, the plain 99%)."""
    bundle = Bundle.load(bundle_dir)
    if bundle.target.arch != "aarch64":
        raise CannotVerify(f"{bundle.path}: bundle is for {bundle.target.name}; verification runs arm64 bundles "
                           f"(the emulated device is aarch64)")
    release = arm_runtime(bundle.runtime, lite_lib)
    images = dict(images or default_images())
    _check_images(images)
    reference = reference_models(bundle)  # fail before the slow part when the host side cannot be run
    device = device or EmulatedDevice()
    runner, libs = native_runner(release, log)
    out = Path(out) if out is not None else bundle.path.with_name(bundle.path.name + ".verify")
    with tempfile.TemporaryDirectory(prefix="edgeocr-verify-") as tmp:
        images = lossless_copies(images, Path(tmp))
        workdir = posixpath.join(device.workdir, f"verify-{os.getpid()}-{uuid.uuid4().hex[:8]}")
        try:
            deployment = deploy(device, DeployRequest(Payload.of_bundle(bundle), runner, (libs,), workdir=workdir), log)
            arm, local_record = _run_on_arm(device, deployment, images, out, log)
        finally:
            device.shell(f"rm -rf -- {shlex.quote(workdir)}", timeout=120)
        log(f"host reference: {reference[1].name} on the {reference[0]} backend")
        host = host_reference(bundle, images, MODE)
        quantized = any(m["quantized"] for m in bundle.manifest["models"].values())
        floor = noise_floor(bundle, images, host, MODE, noise_runs, log) if quantized and noise_runs else None
    return _judged(bundle, images, device, release, runner, reference, arm, host, floor, local_record, out)


def lossless_copies(images: Mapping[str, Path], folder: Path) -> dict[str, Path]:
    """``images`` decoded once here and written as PNG into ``folder``: the device and the host then
    read the very same pixels. (JPEG decoders differ: the runner's stb_image and OpenCV's
    libjpeg-turbo give pixels a few grey levels apart, which moves boxes by a pixel or two —
    a difference of decoders, not of the runtime's kernels that verify is about.)"""
    out = {}
    for name, path in images.items():
        image = cv2.imread(str(path), cv2.IMREAD_COLOR)
        target = folder / (name if name.lower().endswith(".png") else f"{name}.png")
        if not cv2.imwrite(str(target), image):
            raise InputError(f"{path}: cannot be written as PNG for the verification")
        out[target.name] = target
    return out


def _run_on_arm(device: EmulatedDevice, deployment, images: Mapping[str, Path], out: Path,
                log: Log) -> tuple[dict[str, Any], Path]:
    """Run ``images`` through the deployed runner, recording every model call; (result, local record folder)."""
    push_folder(device, deployment.workdir, "verify-images", images, log)
    record = deployment.path("verify-record")
    device.shell(f"rm -rf -- {shlex.quote(record)} && mkdir -p -- {shlex.quote(record)}", check=True, timeout=120)
    options = deployment.run_options(images=deployment.path("verify-images"), out=deployment.path("verify.json"),
                                     threads=1, warmup=0, repeats=1, mode=MODE, record=record)
    log(f"{device.name}: running {len(images)} image(s) on ARM kernels (emulated; slow)")
    arm = run_remote(deployment, options, out / "arm.json", timeout=3600)
    local_record = out / "record"
    shutil.rmtree(local_record, ignore_errors=True)
    device.pull(record, local_record, timeout=600)
    return arm, local_record


def _judged(bundle: Bundle, images: Mapping[str, Path], device: EmulatedDevice, release: ArmRuntime, runner: Path,
            reference: tuple[str, Any], arm: Mapping[str, Any], host: Mapping[str, Any],
            floor: Mapping[str, Any] | None, local_record: Path, out: Path) -> Verification:
    """Compare, judge, and record the verdict (``verify.json``, ``verify.md``, the bundle's manifest)."""
    e2e = parity(host["images"], arm["images"], f"{device.name} run")
    host_backend = create_backend(*reference, threads=os.cpu_count() or 1)
    models = compare_outputs(Recording.load(local_record), host_backend.infer, bundle.config,
                             load_charset(bundle.dict_path))
    quantized = {t: bool(m["quantized"]) for t, m in bundle.manifest["models"].items()}
    verdict = judge(e2e, models, quantized, floor["rate"] if floor else None)
    record_json = {
        "passed": verdict.passed,
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "device": f"{device.name}: {device.latency_note}",
        "runtime": {**release.to_json(), "runner": str(runner)},
        "images": len(images),
        "end_to_end": {k: e2e[k] for k in ("lines", "host_lines", "device_lines", "same_text", "same_text_exact",
                                           "text_agreement", "box_agreement", "max_box_diff_px")},
        "models": {t: a.to_json() for t, a in models.items()},
        "quantized": quantized,
        "noise_floor": floor,
        **verdict.to_json(),
        "hints": failure_hints(bundle.manifest, verdict),
    }
    write_json(out / "verify.json", record_json)
    write_text(out / "verify.md", report_markdown(bundle.path, record_json))
    _record_in_manifest(bundle, record_json)
    return Verification(bundle.path, verdict, record_json, out)


def failure_hints(manifest: Mapping[str, Any], verdict: Verdict) -> list[str]:
    """Known causes, recorded at conversion, of the models that failed."""
    return [f"{task}: its source model rounds {m['unread_quantizers']['count']} activation(s) that only float ops "
            "read; Paddle Inference on the host executes that rounding, Paddle-Lite does not. Export it without "
            "them (`edgeocr quantize` does; for a model of your own: edgeocr.compress.unread_quantizers."
            "drop_unread_quantizers_in(PDMODEL)) and convert again"
            for task, m in manifest["models"].items()
            if m.get("unread_quantizers") and any(f.startswith(f"{task}:") for f in verdict.failures)]


def report_markdown(bundle: Path, record: Mapping[str, Any]) -> str:
    rows = [{"model": t, "int8": record["quantized"].get(t), "decisions": a["decisions"],
             "differ": a["decisions_differ"], "agreement": f"{a['decision_agreement']:.4f}",
             "max_abs_diff": f"{a['max_abs']:.3g}", "mean_abs_diff": f"{a['mean_abs']:.3g}"}
            for t, a in record["models"].items()]
    e2e = record["end_to_end"]
    lines = [f"# edgeocr verify: {bundle}", "",
             f"**{'PASSED' if record['passed'] else 'FAILED'}** — {record['device']}; {record['runtime']['name']} "
             f"{record['runtime']['version']} ({record['runtime']['library']}); {record['images']} images.", "",
             f"End to end: {e2e['same_text']} of {max(e2e['host_lines'], e2e['device_lines'])} lines read as on the host "
             f"(text {e2e['text_agreement']:.2%}, {e2e['same_text_exact']} with spaces at the "
             f"ends too; boxes within 1 px {e2e['box_agreement']:.2%}).", "",
             *_noise_floor_lines(record["noise_floor"]),
             markdown_table(rows), ""]
    lines += [f"- {f}" for f in record["failures"]] + [f"- hint: {h}" for h in record["hints"]]
    return "\n".join(lines) + "\n"


def _noise_floor_lines(floor: Mapping[str, Any] | None) -> list[str]:
    if not floor:
        return []
    shares = ", ".join(f"{share:.2%}" for share in floor["text_agreement"])
    return [f"Host noise floor: under relative input noise {floor['relative_noise']:g} the host read {shares} of "
            f"the lines as in its plain run ({floor['runs']} runs: {floor['differ']} of {floor['lines']} lines "
            f"differ, {floor['rate']:.2%}).", ""]


def _record_in_manifest(bundle: Bundle, record: Mapping[str, Any]) -> None:
    """Add the verdict to the manifest. The manifest is not among the files it hashes, so the
    bundle stays valid; the figures live in ``verify.json``, the manifest keeps the summary."""
    summary = {k: record[k] for k in ("passed", "date", "device", "runtime", "images", "end_to_end", "noise_floor",
                                      "failures")}
    summary["decision_agreement"] = {t: a["decision_agreement"] for t, a in record["models"].items()}
    write_json(bundle.path / MANIFEST, {**bundle.manifest, "verification": summary})

