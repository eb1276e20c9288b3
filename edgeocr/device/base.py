"""``Device``: the one interface deploy and bench use for phones (adb), boards (ssh) and this
host (local).

A transport only says how to start a shell script on its device and how to move files;
everything built from those — exit codes, quoting, env/cwd, timeouts, device info, free
space, hashes, push/pull semantics — lives here once, so the transports cannot drift apart.
"""

from __future__ import annotations

import os
import posixpath
import re
import shlex
from abc import ABC, abstractmethod
from pathlib import Path
from typing import IO, ClassVar, Mapping

from edgeocr.device.errors import (
    CommandFailed,
    DeviceError,
    DeviceNotFound,
    DeviceUnauthorized,
    NoSpaceLeft,
    transfer_error,
)
from edgeocr.device.info import MACHINE_TO_ABI, DeviceInfo, count_cpus, parse_max_freqs, parse_os_release
from edgeocr.device.process import run_process
from edgeocr.device.shell import Command, ShellResult, split_status, to_script, with_status
from edgeocr.errors import InputError

READY = "device"  # the state names adb uses, for every transport
OFFLINE = "offline"
UNAUTHORIZED = "unauthorized"
NOT_FOUND = "not found"

_SECTION = "@@edgeocr-section:"
CPU_PROBES = {  # core count and per-core max frequency, from sysfs (phones and boards alike)
    "cpus": "cat /sys/devices/system/cpu/possible || cat /sys/devices/system/cpu/present",
    "freqs": 'for f in /sys/devices/system/cpu/cpu[0-9]*/cpufreq/cpuinfo_max_freq; do [ -r "$f" ] && echo "$f $(cat "$f")"; done',
}
_LINUX_PROBES = {
    "machine": "uname -m",
    "kernel": "uname -r",
    "os_release": "cat /etc/os-release",
    "model": "tr -d '\\000' < /proc/device-tree/model || cat /sys/devices/virtual/dmi/id/product_name",
}
_DF_AVAILABLE = re.compile(r"\s(\d+)\s+(\d+)\s+(\d+)\s+\d+%\s")


def operand(path: str) -> str:
    """``path`` safe as a command operand: one starting with ``-`` would read as an option."""
    return f"./{path}" if path.startswith("-") else path


def brief(script: str, limit: int = 160) -> str:
    """One line of ``script`` for error messages."""
    line = " ".join(script.split())
    return line if len(line) <= limit else line[: limit - 3] + "..."


class Device(ABC):
    """A device we can run commands on and copy files to and from.

    ``serial`` is the address the transport uses (adb serial, ``user@host:port``, ``local``),
    ``name`` what people call it (a board's configured name; the serial otherwise), and
    ``workdir`` where deploy puts files unless told otherwise.
    """

    transport: ClassVar[str]
    #: how latency measured on this device relates to a phone's, when it does not simply
    #: come from the device itself (an emulated CPU)
    latency_note: ClassVar[str | None] = None
    #: whether programs run under an emulator that ``shell_under`` can swap (an instruction-
    #: counting qemu); real hardware runs them natively
    emulated: ClassVar[bool] = False

    def __init__(self, serial: str, name: str | None, workdir: str) -> None:
        self.serial = serial
        self.name = name or serial
        self.workdir = workdir

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"

    @property
    def slug(self) -> str:
        """A file-name-safe form of the name (``127.0.0.1:5037`` -> ``127.0.0.1_5037``), for
        result files and per-device work folders."""
        return re.sub(r"[^A-Za-z0-9._-]+", "_", self.name).strip("_") or "device"

    # -- what a transport provides -------------------------------------------------------

    @abstractmethod
    def _shell_argv(self, script: str) -> list[str]:
        """The local command line that runs POSIX shell ``script`` on the device."""

    @abstractmethod
    def _link_error(self, output: str) -> DeviceError:
        """The error for a run whose exit status never came back; ``output`` is what the
        local client printed (it usually says why: offline, unauthorized, refused)."""

    @abstractmethod
    def _push_file(self, src: Path, remote: str, timeout: float | None) -> None:
        """Copy file ``src`` to ``remote``, or into it if it is an existing folder."""

    @abstractmethod
    def _push_dir(self, src: Path, remote: str, timeout: float | None) -> None:
        """Merge the contents of folder ``src`` into folder ``remote`` (created if needed)."""

    @abstractmethod
    def _pull_file(self, remote: str, dst: Path, timeout: float | None) -> None:
        """Copy device file ``remote`` to the local file ``dst`` (its folder exists)."""

    @abstractmethod
    def _pull_dir(self, remote: str, dst: Path, timeout: float | None) -> None:
        """Merge the contents of device folder ``remote`` into the existing local folder ``dst``."""

    # -- commands ------------------------------------------------------------------------

    def shell(
        self,
        cmd: Command,
        timeout: float | None = None,
        check: bool = False,
        env: Mapping[str, str] | None = None,
        cwd: str | None = None,
    ) -> ShellResult:
        """Run ``cmd`` on the device and return its exit code, stdout and stderr.

        A string is shell code; a sequence is an argv, quoted item by item (use it for any
        command that contains paths). ``check`` raises ``CommandFailed`` on a non-zero exit;
        a lost link raises ``DeviceOffline`` (or what the client reported), never a fake
        exit code; past ``timeout`` seconds the command is abandoned with ``DeviceTimeout``.
        """
        return self._run(to_script(cmd, env, cwd), timeout=timeout, check=check)

    def _run(
        self,
        script: str,
        *,
        timeout: float | None,
        check: bool = False,
        stdin: IO[bytes] | None = None,
        stdout: IO[bytes] | None = None,
    ) -> ShellResult:
        """Run ``script``; ``stdin``/``stdout`` may be files for streaming transfers."""
        proc = run_process(
            self._shell_argv(with_status(script)),
            what=f"{self.name}: {brief(script)}",
            timeout=timeout,
            stdin=stdin,
            stdout=stdout,
        )
        status, out, err = split_status(proc.stdout, proc.stderr)
        if status is None:
            raise self._link_error(proc.text())
        result = ShellResult(status, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"), proc.duration_s)
        if check and not result.ok:
            raise CommandFailed(self.name, brief(script), result)
        return result

    def state(self, timeout: float = 15.0) -> str:
        """``device`` when a command runs, else ``offline``, ``unauthorized`` or ``not found``."""
        try:
            self.shell("true", timeout=timeout, check=True)
        except DeviceUnauthorized:
            return UNAUTHORIZED
        except DeviceNotFound:
            return NOT_FOUND
        except DeviceError:
            return OFFLINE
        return READY

    # -- files ---------------------------------------------------------------------------

    def push(self, local: str | os.PathLike, remote: str, timeout: float | None = None) -> None:
        """Copy a local file or folder to the device.

        A file goes to ``remote``, or into it when ``remote`` is an existing folder (like
        ``cp``); missing parent folders are created. A folder's contents are merged into
        ``remote`` — never nested one level down, as ``adb push`` and ``scp -r`` do when the
        target exists. A full device raises ``NoSpaceLeft``.
        """
        src = Path(local)
        if not src.exists():
            raise InputError(f"{src}: no such file or folder to push")
        try:
            (self._push_dir if src.is_dir() else self._push_file)(src, remote, timeout)
        except CommandFailed as e:
            error = transfer_error(self.name, f"push {src} -> {remote}", e.result.stderr or e.result.stdout)
            if not isinstance(error, NoSpaceLeft) and self._out_of_room(src, remote):
                error = NoSpaceLeft(f"{error}\n  (No space left on device: df shows less free space than the push needs)")
            raise error from None

    def _out_of_room(self, src: Path, remote: str) -> bool:
        """Whether ``src`` no longer fits under ``remote``: some tools report a full disk only
        vaguely (GNU tar: 'Wrote only 7168 of 10240 bytes'), so df has the last word."""
        files = [p for p in src.rglob("*") if p.is_file()] if src.is_dir() else [src]
        try:
            return self.free_bytes(remote) < sum(p.stat().st_size for p in files)
        except DeviceError:
            return False

    def pull(self, remote: str, local: str | os.PathLike, timeout: float | None = None) -> None:
        """Copy a device file or folder here, with the same rules as ``push`` the other way."""
        kind = self._remote_kind(remote, timeout)
        if kind is None:
            raise DeviceError(f"{self.name}: {remote}: no such file or folder on the device")
        dst = Path(local)
        try:
            if kind == "dir":
                dst.mkdir(parents=True, exist_ok=True)
                self._pull_dir(remote, dst, timeout)
            else:
                if dst.is_dir():
                    dst = dst / posixpath.basename(remote.rstrip("/"))
                dst.parent.mkdir(parents=True, exist_ok=True)
                self._pull_file(remote, dst, timeout)
        except CommandFailed as e:
            raise transfer_error(self.name, f"pull {remote} -> {dst}", e.result.stderr or e.result.stdout) from None

    def _remote_kind(self, path: str, timeout: float | None = None) -> str | None:
        """``dir``, ``file`` or None when ``path`` does not exist on the device."""
        p = shlex.quote(operand(path))
        script = f"if [ -d {p} ]; then echo dir; elif [ -e {p} ]; then echo file; fi"
        return self._run(script, timeout=timeout, check=True).stdout.strip() or None

    def sha256(self, path: str, timeout: float | None = None) -> str | None:
        """Hex sha256 of a device file (None if it does not exist), so deploy can skip
        files the device already has."""
        p = shlex.quote(operand(path))
        out = self._run(f"if [ -f {p} ]; then sha256sum < {p}; fi", timeout=timeout, check=True).stdout.split()
        return out[0] if out else None

    def free_bytes(self, path: str, timeout: float | None = 30.0) -> int:
        """Bytes available on the file system that holds ``path`` — or would hold it: the
        nearest existing parent is measured, so deploy can check before creating its folder."""
        script = (
            f"p={shlex.quote(operand(path))}\n"
            'while [ ! -e "$p" ]; do p=$(dirname "$p"); done\n'
            'df -Pk "$p"'
        )
        out = self._run(script, timeout=timeout, check=True).stdout
        lines = out.strip().splitlines()
        match = _DF_AVAILABLE.search(f" {lines[-1]} ") if lines else None
        if match is None:
            raise DeviceError(f"{self.name}: cannot read free space of {path} from df output: {out.strip()!r}")
        return int(match.group(3)) * 1024

    def require_free(self, path: str, nbytes: int) -> None:
        """Raise ``NoSpaceLeft`` unless ``nbytes`` fit under ``path`` (checked before a deploy)."""
        free = self.free_bytes(path)
        if free < nbytes:
            raise NoSpaceLeft(
                f"{self.name}: {path} needs {nbytes / 2**20:.1f} MiB but only {free / 2**20:.1f} MiB are free"
            )

    # -- identity ------------------------------------------------------------------------

    def info(self, timeout: float | None = 30.0) -> DeviceInfo:
        """Model, ABI, OS and CPU topology, read in one round trip."""
        probes = {**self._identity_probes(), **CPU_PROBES}
        script = "\n".join(f"echo '{_SECTION}{key}'; {{ {cmd}; }} 2>/dev/null" for key, cmd in probes.items())
        sections: dict[str, str] = {}
        key = None
        for line in self._run(script, timeout=timeout).stdout.splitlines():
            if line.startswith(_SECTION):
                key = line[len(_SECTION) :]
                sections[key] = ""
            elif key is not None:
                sections[key] += line + "\n"
        model, abi, os_name = self._identity({k: sections.get(k, "") for k in probes})
        freqs = parse_max_freqs(sections.get("freqs", ""))
        try:
            cores = count_cpus(sections.get("cpus", "").strip().split("\n")[0])
        except ValueError:
            cores = 0
        return DeviceInfo(
            serial=self.serial,
            name=self.name,
            transport=self.transport,
            model=model or "unknown",
            abi=abi or "unknown",
            os=os_name,
            cpu_cores=cores or len(freqs),
            cpu_max_freq_khz=freqs,
        )

    def _identity_probes(self) -> dict[str, str]:
        """Shell snippets whose output ``_identity`` reads; this default suits any Linux."""
        return _LINUX_PROBES

    def _identity(self, out: Mapping[str, str]) -> tuple[str, str, str]:
        """``(model, abi, os)`` from the probes' output."""
        machine = out["machine"].strip()
        release = parse_os_release(out["os_release"])
        os_name = release.get("PRETTY_NAME") or out["kernel"].strip()
        return out["model"].strip(), MACHINE_TO_ABI.get(machine, machine), f"linux {os_name}".strip()
