"""A deterministic ARM cost figure: the aarch64 instructions the native runner executes
under qemu-user, in total, per image and per stage.

Emulated wall time says nothing about a phone; the dynamic instruction count does, and it
is the same in identical runs. The runner marks init, each image, each warm-up and timed
run and each stage with a harmless syscall (targets/native/core/include/edgeocr/work_marker.h);
a qemu plugin (targets/native/qemu_plugin/edgeocr_work.c) counts every executed instruction
and attributes it to those markers::

    plugin = build_work_plugin(Path("out/work"))
    subprocess.run(counted_command([runner, "--bundle", ...], plugin, Path("counts.json")), check=True)
    counts = read_work_counts(Path("counts.json"))
    counts["stages"]["det_post"]["median"]        # instructions per timed run, median over images

Count with one thread (``--threads 1``): qemu-user runs each guest thread as a vCPU, all
adding to one counter, so with more threads the figures are sums over vCPUs and, since the
plugin's inline adds are not atomic, may lose increments (``counts["vcpus"]`` says how many
there were).

Needs Debian's ``qemu-user`` (its dynamically linked ``qemu-aarch64``; ``qemu-user-static``
cannot load plugins), the host ``gcc`` and QEMU 7.2's plugin header, which
``targets/native/third_party/fetch_qemu_plugin_api.sh`` fetches.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import statistics
import subprocess
from pathlib import Path
from typing import Sequence, TypedDict

from edgeocr.errors import EdgeOCRError
from edgeocr.paths import home
from edgeocr.resources import CHECKOUT, resource_dir
from edgeocr.utils.atomic import atomic_path

SCHEMA = "edgeocr-work-count/1"
PLUGIN = "edgeocr_work.so"
AARCH64_SYSROOT = Path("/usr/aarch64-linux-gnu")  # Debian's cross sysroot (g++-aarch64-linux-gnu)
_CFLAGS = ("-shared", "-fPIC", "-O2", "-std=c11", "-Wall", "-Wextra", "-Werror")


class WorkCountError(EdgeOCRError):
    """The instructions cannot be counted: a missing tool or header, or a counts file that is not sound."""


class RunCounts(TypedDict):
    total: int              # instructions of the run
    stages: dict[str, int]  # of each stage it marked, in pipeline order


class ImageCounts(TypedDict):
    image: int              # the image's index in the runner's result
    total: int              # decoding, all its runs, its result entry
    warmup: list[RunCounts]
    runs: list[RunCounts]   # timed runs


class StageCounts(TypedDict):
    per_image: list[float]  # per image: median over its timed runs
    median: float           # median of per_image
    total: int              # over every timed run of every image
    warmup: int             # over every warm-up run, kept apart


class WorkCounts(TypedDict):
    total: int              # every instruction the process executed
    init: int               # loading the models and the blank inferences (the runner's init_ms)
    unattributed: int       # total less init and every stage: start-up, reading, decoding, JSON, between stages
    vcpus: int
    images: list[ImageCounts]
    stages: dict[str, StageCounts]


def _native_dir() -> Path:
    return resource_dir("targets") / "native"  # as edgeocr.runner.native_build, a layer above this one


def plugin_api_dir() -> Path:
    """Where ``fetch_qemu_plugin_api.sh`` puts ``qemu-plugin.h`` by default in a checkout
    (``out/third_party/qemu``); for an installed package, which has no ``out/``,
    ``<edgeocr home>/third_party/qemu``."""
    if _native_dir() == CHECKOUT / "targets" / "native":
        return CHECKOUT / "out" / "third_party" / "qemu"
    return home() / "third_party" / "qemu"


def build_work_plugin(out_dir: str | os.PathLike, api_dir: str | os.PathLike | None = None) -> Path:
    """``<out_dir>/edgeocr_work.so``, compiled with the host gcc against ``qemu-plugin.h`` in
    ``api_dir`` (default ``plugin_api_dir()``); rebuilt only when a source or the flags changed."""
    api = Path(api_dir) if api_dir is not None else plugin_api_dir()
    if not (api / "qemu-plugin.h").is_file():
        fetch = _native_dir() / "third_party" / "fetch_qemu_plugin_api.sh"
        raise WorkCountError(f"QEMU's plugin API header qemu-plugin.h is not in {api}: run 'bash {fetch} {api}' "
                             "(needs apt-get and the Debian archive)")
    gcc = shutil.which("gcc")
    if gcc is None:
        raise WorkCountError("gcc not found on PATH: the qemu plugin is compiled for this host (apt-get install gcc)")
    source = _native_dir() / "qemu_plugin" / "edgeocr_work.c"
    includes = (api, _native_dir() / "core" / "include")
    inputs = (source, api / "qemu-plugin.h", includes[1] / "edgeocr" / "work_marker.h")
    digest = hashlib.sha256(" ".join(_CFLAGS).encode())
    for path in inputs:
        digest.update(path.read_bytes())
    plugin = Path(out_dir) / PLUGIN
    stamp = plugin.with_name(PLUGIN + ".sha256")  # what the plugin there was built from
    if plugin.is_file() and stamp.is_file() and stamp.read_text() == digest.hexdigest():
        return plugin
    with atomic_path(plugin) as tmp:
        proc = subprocess.run([gcc, *_CFLAGS, *(f"-I{d}" for d in includes), "-o", str(tmp), str(source)],
                              capture_output=True, text=True, timeout=300)
        if proc.returncode != 0:
            raise WorkCountError(f"compiling {source} failed (exit {proc.returncode}):\n{proc.stderr.strip()}")
    stamp.write_text(digest.hexdigest())
    return plugin


def find_qemu_aarch64() -> str:
    """``qemu-aarch64`` built with plugin support: Debian's dynamically linked one from
    qemu-user; static builds (qemu-user-static) have none, and their help has no -plugin."""
    for name in ("qemu-aarch64", "qemu-aarch64-static"):
        qemu = shutil.which(name)
        if qemu is not None and "-plugin" in subprocess.run([qemu, "-h"], capture_output=True, text=True,
                                                            timeout=60).stdout:
            return qemu
    static = shutil.which("qemu-aarch64-static") or shutil.which("qemu-aarch64")
    found = f"{static} cannot load plugins (a static build)" if static else "no qemu-aarch64 on PATH"
    raise WorkCountError(f"counting instructions needs qemu-aarch64 with plugin support; {found}: "
                         "apt-get install qemu-user")


def _qemu_option(path: str | os.PathLike) -> str:
    """An absolute path as a value in qemu's comma-separated -plugin option (commas doubled)."""
    return str(Path(path).resolve()).replace(",", ",,")


def plugin_prefix(plugin: str | os.PathLike, out: str | os.PathLike) -> list[str]:
    """qemu-aarch64 with the counting plugin, which writes its counts to ``out`` when the
    program exits (for ``EmulatedDevice.shell_under``, which adds ``-L`` and the program)."""
    return [find_qemu_aarch64(), "-plugin", f"{_qemu_option(plugin)},out={_qemu_option(out)}"]


def counted_command(argv: Sequence[str], plugin: str | os.PathLike, out: str | os.PathLike,
                    sysroot: str | os.PathLike = AARCH64_SYSROOT) -> list[str]:
    """The command that runs the aarch64 program ``argv`` under qemu-aarch64 with the counting
    plugin; ``sysroot`` holds the program's dynamic loader and libraries."""
    qemu, *plugin_args = plugin_prefix(plugin, out)
    return [qemu, "-L", str(sysroot), *plugin_args, *argv]


def _count(value: object, where: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise WorkCountError(f"{where}: {value!r} is not a count")
    return value


def _run(run: object, where: str) -> RunCounts:
    if not isinstance(run, dict) or not isinstance(run.get("stages"), dict):
        raise WorkCountError(f"{where}: not a run's counts")
    total = _count(run.get("total"), f"{where}.total")
    stages = {name: _count(n, f"{where}.stages.{name}") for name, n in run["stages"].items()}
    if sum(stages.values()) > total:
        raise WorkCountError(f"{where}: its stages count more than the run")
    return RunCounts(total=total, stages=stages)


def _image(image: object, where: str) -> ImageCounts:
    if not isinstance(image, dict) or not all(isinstance(image.get(key), list) for key in ("warmup", "runs")):
        raise WorkCountError(f"{where}: not an image's counts")
    counts = ImageCounts(image=_count(image.get("image"), f"{where}.image"),
                         total=_count(image.get("total"), f"{where}.total"),
                         warmup=[_run(r, f"{where}.warmup[{i}]") for i, r in enumerate(image["warmup"])],
                         runs=[_run(r, f"{where}.runs[{i}]") for i, r in enumerate(image["runs"])])
    if not counts["runs"]:
        raise WorkCountError(f"{where}: no timed run")
    if sum(r["total"] for r in counts["warmup"] + counts["runs"]) > counts["total"]:
        raise WorkCountError(f"{where}: its runs count more than the image")
    return counts


def read_work_counts(path: str | os.PathLike) -> WorkCounts:
    """The plugin's counts at ``path``, checked (no marker errors, parts within their whole,
    the same stages in every run), with a summary per stage over the timed runs."""
    path = Path(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise WorkCountError(f"{path}: no counts; the plugin writes them only when the program exits normally") \
            from None
    except (OSError, ValueError) as e:
        raise WorkCountError(f"{path}: unreadable counts ({e})") from None
    if not isinstance(raw, dict) or raw.get("schema") != SCHEMA:
        raise WorkCountError(f"{path}: not {SCHEMA} counts")
    if raw.get("errors"):
        raise WorkCountError(f"{path}: the work markers were not sound: {'; '.join(map(str, raw['errors']))}")
    if not isinstance(raw.get("images"), list):
        raise WorkCountError(f"{path}: no image list")
    total, init = _count(raw.get("total"), f"{path}: total"), _count(raw.get("init"), f"{path}: init")
    images = [_image(image, f"{path}: images[{i}]") for i, image in enumerate(raw["images"])]
    if init + sum(image["total"] for image in images) > total:
        raise WorkCountError(f"{path}: init and the images count more than the total")
    all_runs = [run for image in images for run in image["warmup"] + image["runs"]]
    names = list(all_runs[0]["stages"]) if all_runs else []
    if any(list(run["stages"]) != names for run in all_runs):
        raise WorkCountError(f"{path}: the runs did not all mark the same stages")
    stages: dict[str, StageCounts] = {}
    for name in names:
        per_image = [float(statistics.median(run["stages"][name] for run in image["runs"])) for image in images]
        stages[name] = StageCounts(per_image=per_image, median=float(statistics.median(per_image)),
                                   total=sum(run["stages"][name] for image in images for run in image["runs"]),
                                   warmup=sum(run["stages"][name] for image in images for run in image["warmup"]))
    attributed = init + sum(s["total"] + s["warmup"] for s in stages.values())
    return WorkCounts(total=total, init=init, unattributed=total - attributed,
                      vcpus=_count(raw.get("vcpus"), f"{path}: vcpus"), images=images, stages=stages)
