"""ARM Linux boards through OpenSSH (``ssh`` in batch mode: never a password prompt).

Files travel as ``cat`` and ``tar`` streams over the same ssh command as the shell, not
through ``scp``: scp's remote-path handling differs between its legacy and SFTP modes
(shell-expanded or literal), and ``scp -r`` nests a folder inside an existing target.
Streams need nothing on the board beyond ``sh``, ``cat`` and ``tar`` (busybox has them),
reuse the quoting of every other command, and report a full disk like any command does.
"""

from __future__ import annotations

import contextlib
import math
import os
import shlex
import stat
import subprocess
from pathlib import Path
from typing import Iterator, Sequence

from edgeocr.device.base import Device, operand
from edgeocr.device.boards import HOST_KEY_POLICIES, BoardConfig, find_board
from edgeocr.device.errors import DeviceError, DeviceNotFound, DeviceOffline, DeviceUnauthorized

DEFAULT_WORKDIR = "/tmp/edgeocr"
_UNAUTHORIZED = ("Permission denied", "Too many authentication failures")
_UNTRUSTED = ("Host key verification failed", "REMOTE HOST IDENTIFICATION HAS CHANGED")


class SshDevice(Device):
    """A board reached as ``[user@]host:port``.

    ``known_hosts`` and ``strict_host_key_checking`` (``yes``/``no``/``accept-new``) decide
    which host keys are trusted; ``options`` are extra ``ssh -o Key=Value`` settings.
    """

    transport = "ssh"

    def __init__(
        self,
        host: str,
        *,
        port: int = 22,
        user: str | None = None,
        name: str | None = None,
        identity: str | None = None,
        known_hosts: str | None = None,
        strict_host_key_checking: str = "accept-new",
        connect_timeout: float = 10.0,
        options: Sequence[str] = (),
        workdir: str | None = None,
    ) -> None:
        if strict_host_key_checking not in HOST_KEY_POLICIES:
            raise ValueError(f"strict_host_key_checking must be one of {HOST_KEY_POLICIES}")
        super().__init__(f"{user + '@' if user else ''}{host}:{port}", name, workdir or DEFAULT_WORKDIR)
        self.host, self.port, self.user = host, port, user
        self.identity, self.known_hosts = identity, known_hosts
        self.strict_host_key_checking = strict_host_key_checking
        self.connect_timeout = connect_timeout
        self.options = tuple(options)

    @classmethod
    def from_board(cls, board: BoardConfig) -> SshDevice:
        """The device for a devices-file entry."""
        return cls(
            board.host,
            port=board.port,
            user=board.user,
            name=board.name,
            identity=board.identity,
            known_hosts=board.known_hosts,
            strict_host_key_checking=board.strict_host_key_checking,
            connect_timeout=board.connect_timeout,
            options=board.options,
            workdir=board.workdir,
        )

    @classmethod
    def from_spec(cls, spec: str) -> SshDevice:
        """A board by devices-file name, or ad hoc as ``user@host[:port]`` / ``host:port``."""
        if "@" not in spec and ":" not in spec:
            return cls.from_board(find_board(spec))
        user, _, hostport = spec.rpartition("@")
        host, _, port = hostport.partition(":")
        if not host or (port and not port.isdigit()):
            raise DeviceNotFound(f"{spec!r}: expected a board name or user@host[:port]")
        return cls(host, port=int(port or 22), user=user or None)

    def _ssh_argv(self) -> list[str]:
        argv = ["ssh", "-T", "-p", str(self.port)]
        settings = [
            "BatchMode=yes",
            f"ConnectTimeout={max(1, math.ceil(self.connect_timeout))}",  # whole seconds only
            f"StrictHostKeyChecking={self.strict_host_key_checking}",
            "LogLevel=ERROR",  # no "Permanently added ... to known hosts" in every stderr
            "ServerAliveInterval=15",  # notice a board that dropped off mid-benchmark
            "ServerAliveCountMax=3",
        ]
        if self.known_hosts:
            settings.append(f"UserKnownHostsFile={self.known_hosts}")
        if self.identity:
            argv += ["-i", self.identity]
            settings.append("IdentitiesOnly=yes")
        for setting in [*settings, *self.options]:
            argv += ["-o", setting]
        if self.user:
            argv += ["-l", self.user]
        return [*argv, "--", self.host]

    def _shell_argv(self, script: str) -> list[str]:
        return [*self._ssh_argv(), script]

    def _link_error(self, output: str) -> DeviceError:
        if any(s in output for s in _UNAUTHORIZED):
            return DeviceUnauthorized(f"{self.name}: ssh key rejected ({output}); check 'identity' and the board's authorized_keys")
        if any(s in output for s in _UNTRUSTED):
            return DeviceUnauthorized(
                f"{self.name}: host key not trusted ({output}); add it to known_hosts or set strict_host_key_checking"
            )
        if "Could not resolve hostname" in output:
            return DeviceNotFound(f"{self.name}: {output}")
        return DeviceOffline(f"{self.name}: ssh connection failed or dropped" + (f": {output}" if output else ""))

    def _push_file(self, src: Path, remote: str, timeout: float | None) -> None:
        mode = format(stat.S_IMODE(src.stat().st_mode), "o")
        script = (
            f"d={shlex.quote(operand(remote))}\n"
            f'if [ -d "$d" ]; then d="$d"/{shlex.quote(src.name)}; fi\n'
            'mkdir -p "$(dirname "$d")" || exit\n'
            f'if cat > "$d"; then chmod {mode} "$d"; else s=$?; rm -f "$d"; exit $s; fi'  # no half files
        )
        with open(src, "rb") as f:
            self._run(script, timeout=timeout, check=True, stdin=f)

    def _pull_file(self, remote: str, dst: Path, timeout: float | None) -> None:
        tmp = dst.with_name(f".{dst.name}.part")
        try:
            with open(tmp, "wb") as f:
                self._run(f"cat {shlex.quote(operand(remote))}", timeout=timeout, check=True, stdout=f)
            os.replace(tmp, dst)
        finally:
            tmp.unlink(missing_ok=True)

    def _push_dir(self, src: Path, remote: str, timeout: float | None) -> None:
        r = shlex.quote(operand(remote))
        tar = subprocess.Popen(["tar", "-C", str(src), "-cf", "-", "."], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        with _local_tar(tar):
            self._run(f"mkdir -p {r} && tar -C {r} -xof -", timeout=timeout, check=True, stdin=tar.stdout)

    def _pull_dir(self, remote: str, dst: Path, timeout: float | None) -> None:
        tar = subprocess.Popen(["tar", "-C", str(dst), "-xof", "-"], stdin=subprocess.PIPE, stderr=subprocess.PIPE)
        with _local_tar(tar):
            self._run(f"tar -C {shlex.quote(operand(remote))} -cf - .", timeout=timeout, check=True, stdout=tar.stdin)


@contextlib.contextmanager
def _local_tar(tar: subprocess.Popen) -> Iterator[None]:
    """Reap the local ``tar`` at the other end of an ssh stream: killed if the stream failed,
    its own failure raised (a folder it could not read must not pass as pushed)."""
    try:
        yield
    except BaseException:
        tar.kill()
        raise
    finally:
        for pipe in (tar.stdin, tar.stdout):
            if pipe is not None:
                pipe.close()
        err = tar.stderr.read().decode("utf-8", "replace").strip()
        tar.stderr.close()
        code = tar.wait()
    if code:
        raise DeviceError(f"local tar failed: {err}")
