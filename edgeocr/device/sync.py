"""Making a device folder hold exactly a set of local files, pushing only what changed.

One round trip lists the device's hashes, files whose hash is unchanged are skipped, files
the folder should no longer hold are removed, and the free space for everything that will
be pushed can be checked before the first push. Every device path is passed as a quoted
argument, never pasted into shell code. Nothing here knows what the files are: deploying
a runner and a bundle (``edgeocr.runner.deploy``) and pushing a benchmark's images are
both this.
"""

from __future__ import annotations

import posixpath
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping, Sequence

from edgeocr.device.base import Device
from edgeocr.utils.hashing import sha256_file

PUSH_TIMEOUT_S = 600.0

Log = Callable[[str], None]


@dataclass(frozen=True)
class FileAction:
    """One file of a synchronised folder: its path under the work folder, size and what was done."""

    path: str
    size: int
    action: str  # pushed | unchanged | removed


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


def plan_sync(device: Device, workdir: str, folder: str, files: dict[str, Path],
              known: Mapping[str, str] | None = None) -> SyncPlan:
    """What it takes to make ``<workdir>/<folder>`` hold ``files``; ``known`` gives sha256s
    already checked (a loaded bundle's), so those files are not hashed again."""
    known = known or {}
    here = {rel: known.get(rel) or sha256_file(path) for rel, path in files.items()}
    return SyncPlan(folder, files, device_hashes(device, posixpath.join(workdir, folder)), here)


def apply_sync(device: Device, workdir: str, plan: SyncPlan, log: Log) -> list[FileAction]:
    """Remove what the folder should no longer hold, push what changed; the actions taken."""
    base = posixpath.join(workdir, plan.folder)
    if plan.extra:
        device.shell(["rm", "-f", "--", *(posixpath.join(base, rel) for rel in plan.extra)], check=True, timeout=60)
    changed = set(plan.changed)
    if changed:
        log(f"{device.name}: {plan.folder}/: pushing {len(changed)} file(s), {plan.push_bytes / 1e6:.2f} MB "
            f"({len(plan.files) - len(changed)} unchanged, {len(plan.extra)} removed)")
    actions = [FileAction(f"{plan.folder}/{rel}", 0, "removed") for rel in plan.extra]
    for rel, local in plan.files.items():
        size = local.stat().st_size
        if rel in changed:
            if size >= 1e6:  # what takes long enough over adb to want a word of progress
                log(f"{device.name}: push {plan.folder}/{rel} ({size / 1e6:.2f} MB)")
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
