"""How a command becomes a remote shell script, and how its output becomes a ``ShellResult``.

Every transport runs the same wrapped script: the command in its own ``sh -c``, followed
by a status line on stderr. The status line is how we tell "the command finished with N"
from "the link died": the adb 29 client returns 0 when a device vanishes mid-command, and
ssh returns 255 both for a dropped connection and for a command that exits 255. The
inner ``sh -c`` keeps ``exit`` and syntax errors in the command from skipping that line.
"""

from __future__ import annotations

import os
import re
import shlex
from dataclasses import dataclass
from typing import Mapping, Sequence, Union

Command = Union[str, Sequence[Union[str, os.PathLike]]]

_STATUS_LINE = "__edgeocr_exit_status="
_STATUS = re.compile(re.escape(_STATUS_LINE).encode() + rb"(\d+)\r?\n\Z")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class ShellResult:
    """Outcome of a command that ran on a device (decoded as UTF-8, bad bytes replaced)."""

    exit_code: int
    stdout: str
    stderr: str
    duration_s: float

    @property
    def ok(self) -> bool:
        return self.exit_code == 0


def to_script(cmd: Command, env: Mapping[str, str] | None = None, cwd: str | None = None) -> str:
    """A POSIX shell script for ``cmd``: a string is used as is (it *is* shell), a sequence is
    an argv whose every item is quoted, so paths with spaces or ``$(...)`` stay inert."""
    lines = []
    for name, value in (env or {}).items():
        if not _ENV_NAME.fullmatch(name):
            raise ValueError(f"invalid environment variable name {name!r}")
        lines.append(f"export {name}={shlex.quote(str(value))}")
    if cwd is not None:
        lines.append(f"cd {shlex.quote(str(cwd))} || exit")
    lines.append(cmd if isinstance(cmd, str) else shlex.join(os.fspath(a) for a in cmd))
    return "\n".join(lines)


def with_status(script: str) -> str:
    """``script`` wrapped so the device reports its exit status on a last stderr line."""
    return f"sh -c {shlex.quote(script)}; printf '{_STATUS_LINE}%d\\n' \"$?\" >&2"


def split_status(stdout: bytes, stderr: bytes) -> tuple[int | None, bytes, bytes]:
    """``(exit status, stdout, stderr)`` with the status line removed; status None when the
    line never came (the link died before the command finished)."""
    if match := _STATUS.search(stderr):
        return int(match.group(1)), stdout, stderr[: match.start()]
    if match := _STATUS.search(stdout):  # no shell v2 (before Android 7): a pty merged stderr, wrote CRLF
        return int(match.group(1)), stdout[: match.start()].replace(b"\r\n", b"\n"), stderr
    return None, stdout, stderr
