"""Running the local client process (adb, ssh, sh) that carries a device command.

Each one runs in its own session so a timeout or Ctrl-C kills its whole process group:
killing only the direct child would leave grandchildren (``sh -c 'sleep 100'``) holding
the output pipes open and the caller blocked on them.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from dataclasses import dataclass
from typing import IO, Sequence

from edgeocr.device.errors import DeviceError, DeviceTimeout


@dataclass(frozen=True)
class ProcessResult:
    """What a local client process returned (``stdout`` is empty when it went to a file)."""

    returncode: int
    stdout: bytes
    stderr: bytes
    duration_s: float

    def text(self) -> str:
        """stdout and stderr as one string: adb prints some errors on stdout."""
        return (self.stdout + self.stderr).decode("utf-8", "replace").strip()


def run_process(
    argv: Sequence[str],
    *,
    what: str,
    timeout: float | None = None,
    stdin: IO[bytes] | None = None,
    stdout: IO[bytes] | None = None,
) -> ProcessResult:
    """Run ``argv`` to completion; past ``timeout`` kill its group and raise ``DeviceTimeout``
    saying ``what`` did not finish."""
    start = time.monotonic()
    try:
        proc = subprocess.Popen(
            list(argv),
            stdin=stdin if stdin is not None else subprocess.DEVNULL,
            stdout=stdout if stdout is not None else subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
    except FileNotFoundError:
        raise DeviceError(f"{argv[0]}: program not found") from None
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        raise DeviceTimeout(f"{what}: no result within {timeout:g} s") from None
    except BaseException:  # Ctrl-C: the client must not outlive us
        _kill_group(proc)
        raise
    return ProcessResult(proc.returncode, out or b"", err or b"", time.monotonic() - start)


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        proc.communicate(timeout=5)
    except subprocess.TimeoutExpired:  # a daemonised grandchild still holds a pipe: give up on it
        pass
