"""Android phones through the real ``adb`` client (``adb -s SERIAL ...``).

The client is found via ``$EDGEOCR_ADB`` or ``PATH`` and talks to the adb server on
``$ANDROID_ADB_SERVER_PORT`` (adb reads it itself). Shell commands rely on the status line
of :mod:`edgeocr.device.shell` for exit codes, because the adb client alone reports 0 when
the device drops off mid-command.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from edgeocr.device.base import Device, operand
from edgeocr.device.errors import (
    DeviceError,
    DeviceNotFound,
    DeviceOffline,
    DeviceUnauthorized,
    transfer_error,
)
from edgeocr.device.process import ProcessResult, run_process

ADB_ENV = "EDGEOCR_ADB"
DEFAULT_WORKDIR = "/data/local/tmp/edgeocr"  # writable and executable for the shell user on any phone

_HINTS: Mapping[type[DeviceError], str] = {
    DeviceUnauthorized: "accept the 'Allow USB debugging' prompt on the phone",
    DeviceOffline: "re-plug the phone or run 'adb reconnect'",
    DeviceNotFound: "see 'edgeocr devices'",
}
# What the adb client prints when the device (not the command) is the problem.
_CLIENT_ERRORS: tuple[tuple[re.Pattern[str], type[DeviceError]], ...] = (
    (re.compile(r"^(?:adb: )?error: .*(?:unauthorized|still authorizing|no permissions).*$", re.M), DeviceUnauthorized),
    (re.compile(r"^(?:adb: )?error: .*(?:device offline|closed)$", re.M), DeviceOffline),
    (re.compile(r"^(?:adb: )?error: .*(?:device '.*' not found|no devices/emulators found)$", re.M), DeviceNotFound),
)
_STATE_ERRORS: Mapping[str, type[DeviceError]] = {
    "offline": DeviceOffline,
    "connecting": DeviceOffline,
    "unauthorized": DeviceUnauthorized,
    "authorizing": DeviceUnauthorized,
    "no permissions": DeviceUnauthorized,
}


def find_adb() -> str | None:
    """Path of the adb client, or None when it is not installed."""
    return os.environ.get(ADB_ENV) or shutil.which("adb")


def _adb_path() -> str:
    path = find_adb()
    if path is None:
        raise DeviceError(f"adb not found: install Android platform-tools (Debian: apt install adb) or set {ADB_ENV}")
    return path


def _adb(*args: str, timeout: float | None) -> ProcessResult:
    return run_process([_adb_path(), *args], what=f"adb {' '.join(args)}", timeout=timeout)


def client_error(serial: str, output: str) -> DeviceError | None:
    """The typed error for adb client ``output`` that blames the device, else None."""
    for pattern, cls in _CLIENT_ERRORS:
        match = pattern.search(output)
        if match:
            return cls(f"{serial}: {match.group(0)} ({_HINTS[cls]})")
    return None


@dataclass(frozen=True)
class AdbListing:
    """One line of ``adb devices -l``: serial, state and the ``key:value`` details."""

    serial: str
    state: str
    attrs: dict[str, str] = field(default_factory=dict, hash=False)

    def require_ready(self) -> None:
        """Raise the typed error for a device that is attached but cannot be used."""
        if self.state != "device":
            cls = _STATE_ERRORS.get(self.state, DeviceOffline)
            raise cls(f"{self.serial}: device is {self.state} ({_HINTS[cls]})")


def parse_adb_devices(text: str) -> list[AdbListing]:
    """Parse ``adb devices -l`` output (the state may be two words: ``no permissions``)."""
    listings = []
    for line in text.splitlines():
        tokens = line.split()
        if len(tokens) < 2 or line.startswith(("List of devices", "*")):
            continue
        state = "no permissions" if tokens[1:3] == ["no", "permissions"] else tokens[1]
        attrs = dict(t.split(":", 1) for t in tokens[2:] if re.fullmatch(r"[a-z_]+:\S+", t))
        listings.append(AdbListing(tokens[0], state, attrs))
    return listings


def list_adb_devices(timeout: float | None = 30.0) -> list[AdbListing]:
    """Devices the adb server knows, in every state (starting the server if needed)."""
    proc = _adb("devices", "-l", timeout=timeout)
    if proc.returncode:
        raise DeviceError(f"adb devices failed: {proc.text()}")
    return parse_adb_devices(proc.stdout.decode("utf-8", "replace"))


def connect(address: str, timeout: float | None = 15.0) -> str:
    """``adb connect HOST[:PORT]`` (network adb); returns the serial adb gave the device."""
    proc = _adb("connect", address, timeout=timeout)
    output = proc.text()
    match = re.search(r"connected to (\S+)", output)
    if proc.returncode == 0 and match:  # adb 29 exits 0 on "failed to connect" too
        return match.group(1)
    cls = DeviceUnauthorized if "authenticate" in output else DeviceOffline
    raise cls(f"adb connect {address}: {output} ({_HINTS[cls]})")


def disconnect(address: str, timeout: float | None = 15.0) -> None:
    """``adb disconnect HOST[:PORT]``."""
    proc = _adb("disconnect", address, timeout=timeout)
    if proc.returncode:
        raise DeviceNotFound(f"adb disconnect {address}: {proc.text()}")


class AdbDevice(Device):
    """A phone the adb server knows by ``serial`` (USB serial or ``host:port``)."""

    transport = "adb"

    def __init__(self, serial: str, name: str | None = None, workdir: str = DEFAULT_WORKDIR) -> None:
        super().__init__(serial, name, workdir)

    def _argv(self, *args: str) -> list[str]:
        return [_adb_path(), "-s", self.serial, *args]

    def _shell_argv(self, script: str) -> list[str]:
        # No -T: with stdin not a terminal adb already opens a pty-less shell v2 session (stderr
        # separate), and devices without shell v2 (before Android 7) refuse -T outright.
        return self._argv("shell", "--", script)

    def _link_error(self, output: str) -> DeviceError:
        return client_error(self.serial, output) or DeviceOffline(
            f"{self.serial}: connection lost before the command finished" + (f": {output}" if output else "")
        )

    def _transfer(self, verb: str, src: str, dst: str, timeout: float | None) -> None:
        what = f"{verb} {src} -> {dst}"
        proc = run_process(self._argv(verb, operand(src), operand(dst)), what=f"{self.serial}: {what}", timeout=timeout)
        if proc.returncode:
            output = proc.text()
            raise client_error(self.serial, output) or transfer_error(self.name, what, output)

    def _push_file(self, src: Path, remote: str, timeout: float | None) -> None:
        self._transfer("push", str(src), remote, timeout)

    def _push_dir(self, src: Path, remote: str, timeout: float | None) -> None:
        # "src/." into an existing folder merges, where plain "src" would nest as remote/src.
        self.shell(["mkdir", "-p", operand(remote)], timeout=timeout, check=True)
        self._transfer("push", f"{src}/.", remote, timeout)

    def _pull_file(self, remote: str, dst: Path, timeout: float | None) -> None:
        self._transfer("pull", remote, str(dst), timeout)

    def _pull_dir(self, remote: str, dst: Path, timeout: float | None) -> None:
        self._transfer("pull", f"{remote.rstrip('/')}/.", str(dst), timeout)

    def _identity_probes(self) -> dict[str, str]:
        return {
            "model": "getprop ro.product.model",
            "abi": "getprop ro.product.cpu.abi",
            "release": "getprop ro.build.version.release",
        }

    def _identity(self, out: Mapping[str, str]) -> tuple[str, str, str]:
        return out["model"].strip(), out["abi"].strip(), f"android {out['release'].strip()}"
