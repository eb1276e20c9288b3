"""Deploy: put a bundle, a runner and the runtime libraries into a work folder on a device.

Layout on the device::

    <workdir>/
      bundle/        the bundle (manifest, config, .nb files, dictionary)
      models/        instead of bundle/: an inference-model set (host-only Paddle Inference runs)
      runner/        edgeocr-runner.pyz + targets/<target>.yml   (Python runner)
                     edgeocr-runner                              (native runner, --runner-bin)
      lib/           the runtime's libraries (target.runtime.library + extra_libraries: Paddle-Lite's
                     or ONNX Runtime's), on LD_LIBRARY_PATH (native runner)
      deploy.json    what is deployed: device, payload, runner, runtime version, file hashes

Refused before anything is pushed: a device whose ABIs do not include the bundle target's,
and a runtime whose version cannot run the bundle (Paddle-Lite: another version than the
bundle's converter version; ONNX Runtime: an older one, ``runtime_lib.runs_bundle``). The native runner's
runtime version is read from the ``--runtime-lib`` library before anything is pushed; the
Python runner's is the device's ``paddlelite``, which only the runner itself can report, so
its few hundred KiB are pushed first and asked (``--probe``, which also proves the device's
Python has every module the runner needs).

Each folder is synchronised by the device layer (``edgeocr.device.sync``): unchanged files
are skipped, stale ones removed, free space checked before the first push.

``deploy.json`` never describes what is not there: it is removed before the first folder
changes and written again, ``status: complete``, when everything is in place. A redeploy that
fails after that point replaces it with ``status: failed``, the error, and the sha256 of every
file the work folder holds now (a first deploy that fails leaves none: nothing was deployed).
"""

from __future__ import annotations

import json
import posixpath
import shlex
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Sequence

from edgeocr.device.base import Device
from edgeocr.device.errors import DeviceError
from edgeocr.device.info import MACHINE_TO_ABI, DeviceInfo
from edgeocr.device.sync import PUSH_TIMEOUT_S, FileAction, Log, device_hashes, plan_sync, sync_folders
from edgeocr.errors import EdgeOCRError
from edgeocr.runner.contract import RunOptions, parse_error, validate_probe
from edgeocr.runner.elf import ElfError, read_elf
from edgeocr.runner.payload import BUNDLE, Payload
from edgeocr.runner.python_runner import DEPENDENCIES
from edgeocr.runner.runtime_lib import find_libraries, library_version, runs_bundle
from edgeocr.runner.zipapp import PYZ_NAME, TARGETS_DIR, build_runner_zipapp
from edgeocr.targets import list_targets, targets_dir
from edgeocr.utils.atomic import write_json

DEPLOY_MANIFEST = "deploy.json"
DEVICE_PLACEHOLDER = "{device}"
DEPLOY_FORMAT = "edgeocr-deploy/1"
RUNNER_DIR, LIB_DIR = "runner", "lib"
NATIVE_NAME = "edgeocr-runner"
PROBE_TIMEOUT_S = 300.0


class DeployError(DeviceError):
    """Deploy refused or failed; the message names the device and what to do."""


class AbiMismatch(DeployError):
    """The device cannot run code built for the bundle's target."""


class RunnerMismatch(DeployError):
    """The native runner is built for another OS or CPU than the device's."""


class VersionMismatch(DeployError):
    """The runtime on (or for) the device is not the version the bundle was converted with."""


@dataclass(frozen=True)
class DeployRequest:
    """What to deploy. ``runner_bin`` picks the native runner (with ``runtime_libs``: files or
    folders holding the target's libraries); without it the Python runner is deployed and run
    by ``python`` on the device (default: this interpreter for ``local``, else ``python3``).
    ``workdir`` defaults to the device's own; ``{device}`` in it becomes the device's slug, so
    devices sharing one file system (fake phones, one host) keep apart."""

    payload: Payload
    runner_bin: Path | None = None
    runtime_libs: tuple[Path, ...] = ()
    python: str | None = None
    workdir: str | None = None


@dataclass
class Deployment:
    """A payload and runner in place on a device, and how to start the runner there."""

    device: Device
    info: DeviceInfo
    workdir: str
    payload: Payload
    runner: dict[str, Any]  # kind, name, version, backend (+ python or lib dir)
    runtime_version: str
    files: list[FileAction] = field(default_factory=list)

    def path(self, *parts: str) -> str:
        return posixpath.join(self.workdir, *parts)

    @property
    def command(self) -> list[str]:
        """The runner's argv prefix on the device."""
        if self.runner["kind"] == "native":
            return [self.path(RUNNER_DIR, NATIVE_NAME)]
        return [self.runner["python"], self.path(RUNNER_DIR, PYZ_NAME)]

    @property
    def env(self) -> dict[str, str]:
        return {"LD_LIBRARY_PATH": self.path(LIB_DIR)} if self.runner["kind"] == "native" else {}

    def run_options(self, **options: Any) -> RunOptions:
        """``RunOptions`` with the deployed bundle filled in (None for a model set)."""
        bundle = self.path(BUNDLE) if self.payload.kind == BUNDLE else None
        return RunOptions(bundle=bundle, **options)

    def argv(self, options: RunOptions) -> list[str]:
        """The full runner command line for ``options``."""
        extra = [] if options.bundle else self.payload.runner_args(self.path(self.payload.kind))
        return [*self.command, *options.argv(), *extra]

    def to_json(self) -> dict[str, Any]:
        return {
            "format": DEPLOY_FORMAT,
            "device": self.info.to_json(),
            "workdir": self.workdir,
            "payload": self.payload.to_json(),
            "runner": self.runner,
            "runtime_version": self.runtime_version,
            "files": {a.path: a.action for a in self.files},
            "status": "complete",
        }


# -- checks ----------------------------------------------------------------------------------


def device_abis(device: Device, info: DeviceInfo) -> list[str]:
    """ABIs the device runs: a phone's ``ro.product.cpu.abilist`` (an arm64 phone also runs
    armeabi-v7a), else the one ABI it reports."""
    if device.transport == "adb":
        listed = device.shell(["getprop", "ro.product.cpu.abilist"], check=True, timeout=30).stdout.strip()
        return [abi for abi in listed.split(",") if abi] or [info.abi]
    return [info.abi]


def check_abi(device: Device, info: DeviceInfo, payload: Payload) -> None:
    """Refuse a bundle whose target ABI the device cannot run (boards report ``uname -m``
    translated to Android's names, and so are target ABIs here)."""
    target = payload.target
    if target is None:
        return
    wanted = MACHINE_TO_ABI.get(target.abi, target.abi)
    abis = device_abis(device, info)
    if wanted not in abis:
        fits = [t.name for t in list_targets() if MACHINE_TO_ABI.get(t.abi, t.abi) in abis]
        advice = f"convert for it (edgeocr convert --target {' or '.join(fits)})" if fits else "no target profile fits it"
        raise AbiMismatch(f"{device.name}: bundle {payload.path} is for target {target.name} (ABI {wanted}) but the "
                          f"device runs {', '.join(abis)}; {advice}")


_OS_NAMES = {"android": "Android (bionic)", "linux": "Linux (glibc)"}
_RUNTIME_NAMES = {"paddle-lite": "Paddle-Lite", "onnxruntime": "ONNX Runtime"}


def check_runner(device: Device, info: DeviceInfo, runner: Path) -> None:
    """Refuse a native runner the device cannot start: one built for another CPU, or a glibc
    program on a phone / an Android program on a Linux board (its ELF interpreter says which;
    the kernel would only say "not found"). Scripts and unreadable files are left to the probe."""
    try:
        elf = read_elf(runner)
    except (ElfError, OSError):
        return
    device_os = "android" if info.os.startswith("android") else "linux"
    if elf.flavour not in ("unknown", device_os):
        raise RunnerMismatch(f"{runner}: an {_OS_NAMES[elf.flavour]} program (interpreter {elf.interpreter}) cannot "
                             f"run on {device.name}, which runs {info.os}; build the runner for it with `edgeocr "
                             f"build-runner --target T` for a {_OS_NAMES[device_os]} target")
    if elf.abi not in device_abis(device, info):
        raise RunnerMismatch(f"{runner}: built for {elf.arch} ({elf.bits}-bit), but {device.name} runs "
                             f"{', '.join(device_abis(device, info))}")


def _check_version(runtime: str, payload: Payload, where: str, fix: str) -> None:
    built, target = payload.runtime_version, payload.target
    if built is None or target is None or runs_bundle(target.runtime.name, runtime, built):
        return
    if target.runtime.name == "onnxruntime":
        raise VersionMismatch(f"{where}: ONNX Runtime {runtime} is older than {built}, the version bundle {payload.path} "
                              f"was converted for; {fix}")
    raise VersionMismatch(f"{where}: Paddle-Lite runtime {runtime} but bundle {payload.path} was converted by opt "
                          f"{built}; {fix}")


def native_libraries(request: DeployRequest) -> tuple[dict[str, Path], str]:
    """The target's runtime libraries from ``--runtime-lib`` and the runtime version, checked
    against the bundle before anything is pushed."""
    payload, target = request.payload, request.payload.target
    if target is None:
        raise DeployError("the native runner runs bundles; --models runs on this host's Python runner only")
    runtime = target.runtime
    if runtime.library.startswith("python:"):
        raise DeployError(f"target {target.name} has no native {_RUNTIME_NAMES[runtime.name]} library ({runtime.library}); "
                          "deploy the Python runner (leave out --runner-bin)")
    libs = find_libraries([runtime.library, *runtime.extra_libraries], request.runtime_libs)
    main_lib = libs[runtime.library]
    version = library_version(main_lib, runtime.name)
    fix = (f"use ONNX Runtime {payload.runtime_version} or newer ({runtime.release}) or re-convert for {version}"
           if runtime.name == "onnxruntime" else
           f"use the {payload.runtime_version} release ({runtime.release}) or re-convert with opt {version}")
    _check_version(version, payload, str(main_lib), fix)
    return libs, version


# -- the runner ------------------------------------------------------------------------------


def probe_runner(device: Device, command: list[str], env: dict[str, str], extra: Sequence[str] = ()) -> dict[str, Any]:
    """Start the deployed runner with ``--probe``: it must start, load its runtime and say
    which version it is."""
    result = device.shell([*command, "--probe", *extra], env=env, timeout=PROBE_TIMEOUT_S)
    where = f"{device.name}: runner {shlex.join(command)}"
    if result.exit_code:
        error = parse_error(result.stdout)
        detail = f"{error.code}: {error}" if error else (result.stderr.strip() or result.stdout.strip())[-600:]
        hint = ""
        if result.exit_code in (126, 127) or (error and error.code == "missing_dependency"):
            hint = f"\n  the Python runner needs Python 3.10 with {DEPENDENCIES} on the device; pass --python PATH"
        raise DeployError(f"{where} does not start (exit {result.exit_code}): {detail}{hint}")
    lines = result.stdout.strip().splitlines()
    try:
        return validate_probe(json.loads(lines[-1]) if lines else None, source=f"{where} --probe")
    except ValueError as e:
        raise DeployError(f"{where} --probe did not print JSON: {e}") from None


def _python_runner_files(tmp: Path, payload: Payload) -> dict[str, Path]:
    files = {PYZ_NAME: build_runner_zipapp(tmp / PYZ_NAME)}
    if payload.target is not None:
        name = f"{payload.target.name}.yml"
        files[f"{TARGETS_DIR}/{name}"] = targets_dir() / name
    return files


# -- deploy ----------------------------------------------------------------------------------


def _folders(payload: Payload) -> tuple[str, ...]:
    return (RUNNER_DIR, LIB_DIR, payload.kind)


def _record_failure(device: Device, workdir: str, info: DeviceInfo, payload: Payload, error: BaseException,
                    tmp: Path, log: Log) -> None:
    """Replace the removed ``deploy.json`` of a redeploy by what the folder holds now (best effort:
    the device may be what failed)."""
    try:
        files = {f"{folder}/{rel}": digest for folder in _folders(payload)
                 for rel, digest in device_hashes(device, posixpath.join(workdir, folder)).items()}
        record = Path(tmp) / DEPLOY_MANIFEST
        write_json(record, {"format": DEPLOY_FORMAT, "status": "failed", "error": str(error) or type(error).__name__,
                            "device": info.to_json(), "workdir": workdir, "payload": payload.to_json(),
                            "files_sha256": files, "failed": datetime.now(timezone.utc).isoformat(timespec="seconds")})
        device.push(record, posixpath.join(workdir, DEPLOY_MANIFEST), timeout=PUSH_TIMEOUT_S)
    except EdgeOCRError as e:
        log(f"{device.name}: could not record the failed deploy in {DEPLOY_MANIFEST}: {e}")


def deploy(device: Device, request: DeployRequest, log: Log = lambda _: None) -> Deployment:
    """Check, then push ``request`` to ``device``; returns the deployment (also written to
    ``<workdir>/deploy.json`` on the device)."""
    payload = request.payload
    workdir = (request.workdir or device.workdir).replace(DEVICE_PLACEHOLDER, device.slug)
    if not posixpath.isabs(workdir):
        raise DeployError(f"{device.name}: work folder {workdir!r} must be an absolute path")
    native = request.runner_bin is not None
    if native and set(workdir) & set(":;"):
        raise DeployError(f"{device.name}: work folder {workdir!r} has ':' or ';', which split LD_LIBRARY_PATH: the "
                          "native runner would not find its runtime library there; choose another --workdir")
    if not native and request.runtime_libs:
        raise DeployError("--runtime-lib is for the native runner (--runner-bin); the Python runner uses the "
                          "device's paddlelite package")
    if payload.bundle is None and device.transport != "local":
        raise DeployError(f"{device.name}: --models runs Paddle Inference, which edgeocr runs on this host only "
                          "(--local); deploy a bundle to devices")
    libs, lib_version = native_libraries(request) if native else ({}, None)
    log(f"{device.name}: checking device")
    info = device.info()
    check_abi(device, info, payload)
    if native:
        check_runner(device, info, request.runner_bin)

    with tempfile.TemporaryDirectory(prefix="edgeocr-deploy-") as tmp:
        runner_files = {NATIVE_NAME: request.runner_bin} if native else _python_runner_files(Path(tmp), payload)
        known = {RUNNER_DIR: {}, LIB_DIR: {}, payload.kind: payload.hashes}
        plans = [plan_sync(device, workdir, folder, files, known[folder])
                 for folder, files in zip(_folders(payload), (runner_files, libs, payload.files))]
        device.require_free(workdir, sum(p.push_bytes for p in plans))
        record = posixpath.join(workdir, DEPLOY_MANIFEST)
        redeploy = device.sha256(record) is not None
        if redeploy:  # from here on the folders change: the old record would describe what is gone
            device.shell(["rm", "-f", "--", record], check=True, timeout=60)
        try:
            deployment = _push_and_probe(device, request, workdir, info, plans, libs, lib_version, log)
        except (Exception, KeyboardInterrupt) as e:
            if redeploy:
                _record_failure(device, workdir, info, payload, e, Path(tmp), log)
            raise
        manifest = Path(tmp) / DEPLOY_MANIFEST
        write_json(manifest, {**deployment.to_json(), "deployed": datetime.now(timezone.utc).isoformat(timespec="seconds")})
        device.push(manifest, record, timeout=PUSH_TIMEOUT_S)
    return deployment


def _push_and_probe(device: Device, request: DeployRequest, workdir: str, info: DeviceInfo, plans: Sequence,
                    libs: dict[str, Path], lib_version: str | None, log: Log) -> Deployment:
    """Push the runner and its libraries, check that it starts and runs the bundle's runtime
    version, then push the models."""
    payload, native = request.payload, request.runner_bin is not None
    if native:
        runner = {"kind": "native", "lib_dir": posixpath.join(workdir, LIB_DIR)}
    else:
        runner = {"kind": "python", "python": request.python or (sys.executable if device.transport == "local"
                                                                 else "python3")}
    deployment = Deployment(device, info, workdir, payload, runner, "", sync_folders(device, workdir, plans[:2], log))
    if native:
        device.shell(["chmod", "755", deployment.path(RUNNER_DIR, NATIVE_NAME)], check=True, timeout=60)
    log(f"{device.name}: probing the runner")
    answer = probe_runner(device, deployment.command, deployment.env, [] if native else ["--backend", payload.backend])
    deployment.runner = {**answer["runner"], **deployment.runner}
    deployment.runtime_version = answer["runtime_version"]
    if native and answer["runtime_version"] != lib_version:
        raise VersionMismatch(f"{device.name}: the runner reports runtime {answer['runtime_version']} but "
                              f"{libs[payload.target.runtime.library]} is {lib_version}")
    _check_version(deployment.runtime_version, payload, f"{device.name} ({deployment.command[0]})",
                   "install the paddlelite that converted the bundle on the device, or re-convert with the "
                   "device's version")
    deployment.files += sync_folders(device, workdir, plans[2:], log)
    return deployment
