"""Deploy: put a bundle, a runner and the runtime libraries into a work folder on a device.

Layout on the device::

    <workdir>/
      bundle/        the bundle (manifest, config, .nb files, dictionary)
      models/        instead of bundle/: an inference-model set (host-only Paddle Inference runs)
      runner/        edgeocr-runner.pyz + targets/<target>.yml   (Python runner)
                     edgeocr-runner                              (native runner, --runner-bin)
      lib/           Paddle-Lite runtime libraries, on LD_LIBRARY_PATH (native runner)
      deploy.json    what is deployed: device, payload, runner, runtime version, file hashes

Refused before the models are pushed: a device whose ABIs do not include the bundle target's,
and a runtime whose version differs from the bundle's converter version. The native runner's
runtime version is read from the ``--runtime-lib`` library before anything is pushed; the
Python runner's is the device's ``paddlelite``, which only the runner itself can report, so
its few hundred KiB are pushed first and asked (``--probe``, which also proves the device's
Python has every module the runner needs).

Each folder is synchronised file by file: one round trip lists the device's hashes, files
whose hash is unchanged are skipped, files the deployment no longer has are removed, and the
free space for everything that will be pushed is checked before the first push. Every
device path is passed as a quoted argument, never pasted into shell code.
"""

from __future__ import annotations

import json
import posixpath
import re
import shlex
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Sequence

from edgeocr.convert.targets import list_targets, targets_dir
from edgeocr.device.base import Device
from edgeocr.device.errors import DeviceError
from edgeocr.device.info import MACHINE_TO_ABI, DeviceInfo
from edgeocr.runner.contract import RunOptions, parse_error, validate_probe
from edgeocr.runner.payload import BUNDLE, Payload
from edgeocr.runner.python_runner import DEPENDENCIES
from edgeocr.runner.runtime_lib import find_libraries, library_version
from edgeocr.runner.zipapp import PYZ_NAME, TARGETS_DIR, build_runner_zipapp
from edgeocr.utils.atomic import write_json
from edgeocr.utils.hashing import sha256_file

DEPLOY_MANIFEST = "deploy.json"
DEVICE_PLACEHOLDER = "{device}"
DEPLOY_FORMAT = "edgeocr-deploy/1"
RUNNER_DIR, LIB_DIR = "runner", "lib"
NATIVE_NAME = "edgeocr-runner"
PUSH_TIMEOUT_S = 600.0
PROBE_TIMEOUT_S = 300.0

Log = Callable[[str], None]


class DeployError(DeviceError):
    """Deploy refused or failed; the message names the device and what to do."""


class AbiMismatch(DeployError):
    """The device cannot run code built for the bundle's target."""


class VersionMismatch(DeployError):
    """The runtime on (or for) the device is not the version the bundle was converted with."""


@dataclass(frozen=True)
class DeployRequest:
    """What to deploy. ``runner_bin`` picks the native runner (with ``runtime_libs``: files or
    folders holding the target's libraries); without it the Python runner is deployed and run
    by ``python`` on the device (default: this interpreter for ``local``, else ``python3``).
    ``workdir`` defaults to the device's own; ``{device}`` in it becomes ``device_slug``, so
    devices sharing one file system (fake phones, one host) keep apart."""

    payload: Payload
    runner_bin: Path | None = None
    runtime_libs: tuple[Path, ...] = ()
    python: str | None = None
    workdir: str | None = None


@dataclass(frozen=True)
class FileAction:
    """One file of a deployment: its path under the work folder, size and what deploy did."""

    path: str
    size: int
    action: str  # pushed | unchanged | removed


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
        }


def device_slug(device: Device) -> str:
    """A file-name-safe name for a device (``127.0.0.1:5037`` -> ``127.0.0.1_5037``)."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", device.name).strip("_") or "device"


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


def _check_version(runtime: str, payload: Payload, where: str, fix: str) -> None:
    built = payload.converter_version
    if built is not None and runtime != built:
        raise VersionMismatch(f"{where}: Paddle-Lite runtime {runtime} but bundle {payload.path} was converted by opt "
                              f"{built}; {fix}")


def native_libraries(request: DeployRequest) -> tuple[dict[str, Path], str]:
    """The target's runtime libraries from ``--runtime-lib`` and the runtime version, checked
    against the bundle before anything is pushed."""
    payload, target = request.payload, request.payload.target
    if target is None:
        raise DeployError("the native runner runs bundles; --models runs on this host's Python runner only")
    if target.runtime_library.startswith("python:"):
        raise DeployError(f"target {target.name} has no native Paddle-Lite library ({target.runtime_library}); "
                          "deploy the Python runner (leave out --runner-bin)")
    libs = find_libraries([target.runtime_library, *target.extra_libraries], request.runtime_libs)
    main_lib = libs[target.runtime_library]
    version = library_version(main_lib)
    _check_version(version, payload, str(main_lib),
                   f"use the {payload.converter_version} release ({target.runtime_release}) or re-convert with opt {version}")
    return libs, version


# -- synchronising folders -------------------------------------------------------------------


@dataclass
class SyncPlan:
    """One device folder and the local files it should hold (by path relative to it)."""

    folder: str  # relative to the work folder
    files: dict[str, Path]
    on_device: dict[str, str]
    here: dict[str, str]

    @property
    def changed(self) -> list[str]:
        return [rel for rel in self.files if self.on_device.get(rel) != self.here[rel]]

    @property
    def extra(self) -> list[str]:
        return sorted(set(self.on_device) - set(self.files))

    @property
    def push_bytes(self) -> int:
        return sum(self.files[rel].stat().st_size for rel in self.changed)


def device_hashes(device: Device, folder: str) -> dict[str, str]:
    """sha256 of every file under device ``folder`` by relative path, in one round trip
    (empty when the folder does not exist yet)."""
    q = shlex.quote(folder)
    script = f"if [ -d {q} ]; then cd {q} && find . -type f -exec sha256sum {{}} +; fi"
    hashes = {}
    for line in device.shell(script, check=True, timeout=PUSH_TIMEOUT_S).stdout.splitlines():
        digest, _, path = line.partition("  ")  # sha256sum: digest, two spaces, path
        if path.startswith("./"):
            hashes[path[2:]] = digest
    return hashes


def plan_sync(device: Device, workdir: str, folder: str, files: dict[str, Path]) -> SyncPlan:
    here = {rel: sha256_file(path) for rel, path in files.items()}
    return SyncPlan(folder, files, device_hashes(device, posixpath.join(workdir, folder)), here)


def apply_sync(device: Device, workdir: str, plan: SyncPlan, log: Log) -> list[FileAction]:
    """Remove what the folder should no longer hold, push what changed; the actions taken."""
    base = posixpath.join(workdir, plan.folder)
    if plan.extra:
        device.shell(["rm", "-f", "--", *(posixpath.join(base, rel) for rel in plan.extra)], check=True, timeout=60)
    changed = set(plan.changed)
    if changed:
        log(f"{device.name}: {plan.folder}/: pushing {len(changed)} file(s), {plan.push_bytes / 2**20:.2f} MiB "
            f"({len(plan.files) - len(changed)} unchanged, {len(plan.extra)} removed)")
    actions = [FileAction(f"{plan.folder}/{rel}", 0, "removed") for rel in plan.extra]
    for rel, local in plan.files.items():
        size = local.stat().st_size
        if rel in changed:
            if size >= 2**20:  # what takes long enough over adb to want a word of progress
                log(f"{device.name}: push {plan.folder}/{rel} ({size / 2**20:.2f} MiB)")
            device.push(local, posixpath.join(base, rel), timeout=PUSH_TIMEOUT_S)
        actions.append(FileAction(f"{plan.folder}/{rel}", size, "pushed" if rel in changed else "unchanged"))
    return actions


def sync_folders(device: Device, workdir: str, plans: Sequence[SyncPlan], log: Log) -> list[FileAction]:
    return [action for plan in plans for action in apply_sync(device, workdir, plan, log)]


def push_folder(device: Device, workdir: str, folder: str, files: dict[str, Path], log: Log) -> list[FileAction]:
    """Make device folder ``<workdir>/<folder>`` hold exactly ``files`` (relative name -> local
    file), pushing only what changed after checking it fits."""
    plan = plan_sync(device, workdir, folder, files)
    device.require_free(workdir, plan.push_bytes)
    return apply_sync(device, workdir, plan, log)


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


def deploy(device: Device, request: DeployRequest, log: Log = lambda _: None) -> Deployment:
    """Check, then push ``request`` to ``device``; returns the deployment (also written to
    ``<workdir>/deploy.json`` on the device)."""
    payload = request.payload
    workdir = (request.workdir or device.workdir).replace(DEVICE_PLACEHOLDER, device_slug(device))
    if not posixpath.isabs(workdir):
        raise DeployError(f"{device.name}: work folder {workdir!r} must be an absolute path")
    native = request.runner_bin is not None
    if not native and request.runtime_libs:
        raise DeployError("--runtime-lib is for the native runner (--runner-bin); the Python runner uses the "
                          "device's paddlelite package")
    if payload.manifest is None and device.transport != "local":
        raise DeployError(f"{device.name}: --models runs Paddle Inference, which edgeocr runs on this host only "
                          "(--local); deploy a bundle to devices")
    libs, lib_version = native_libraries(request) if native else ({}, None)
    log(f"{device.name}: checking device")
    info = device.info()
    check_abi(device, info, payload)

    with tempfile.TemporaryDirectory(prefix="edgeocr-deploy-") as tmp:
        runner_files = {NATIVE_NAME: request.runner_bin} if native else _python_runner_files(Path(tmp), payload)
        plans = [plan_sync(device, workdir, folder, files)
                 for folder, files in ((RUNNER_DIR, runner_files), (LIB_DIR, libs), (payload.kind, payload.files))]
        device.require_free(workdir, sum(p.push_bytes for p in plans))
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
                                  f"{libs[payload.target.runtime_library]} is {lib_version}")
        _check_version(deployment.runtime_version, payload, f"{device.name} ({deployment.command[0]})",
                       "install the paddlelite that converted the bundle on the device, or re-convert with the "
                       "device's version")
        deployment.files += sync_folders(device, workdir, plans[2:], log)
        manifest = Path(tmp) / DEPLOY_MANIFEST
        write_json(manifest, {**deployment.to_json(), "deployed": datetime.now(timezone.utc).isoformat(timespec="seconds")})
        device.push(manifest, deployment.path(DEPLOY_MANIFEST), timeout=PUSH_TIMEOUT_S)
    return deployment
