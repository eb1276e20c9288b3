"""A loopback ADB test device: the device side of the ADB wire protocol, standard library only.

The real ``adb`` client connects to it with ``adb connect 127.0.0.1:PORT`` and sees a phone, so
the device layer is tested against the real client's behaviour instead of a mock of it. It
serves ``shell`` (v2 with exit codes and separate stderr, and legacy) and ``sync`` (stat, list,
push, pull). Shell commands run on this host through ``/bin/sh -c`` with ``root`` as working
folder and ``getprop`` answered from a dict, so later end-to-end tests can run a Python runner
"on the phone". There is no path remapping: the device's file system *is* the host's, so give
it paths under a temporary folder (relative sync paths resolve against ``root``).

Failure switches: ``vanish()`` / ``vanish_on`` drop the device off the wire mid-command, and
``quota_bytes`` makes pushes beyond it fail with ENOSPC like a full phone.
"""

from __future__ import annotations

import os
import queue
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import threading
from pathlib import Path

VERSION = 0x01000001  # from this version on the host skips checksums; we still send them
MAX_PAYLOAD = 256 * 1024
HEADER = struct.Struct("<6I")
SYNC_CHUNK = 64 * 1024  # sync DATA blocks may not exceed 64 KiB
ADB_EMULATOR_PORTS = range(5555, 5586)  # the server scans these as emulators: never listen there


def _word(name: str) -> int:
    return struct.unpack("<I", name.encode())[0]


CNXN, OPEN, OKAY, WRTE, CLSE, AUTH = (_word(w) for w in ("CNXN", "OPEN", "OKAY", "WRTE", "CLSE", "AUTH"))
AUTH_TOKEN, AUTH_SIGNATURE = 1, 2
SHELL_STDIN, SHELL_STDOUT, SHELL_STDERR, SHELL_EXIT, SHELL_CLOSE_STDIN = range(5)

DEFAULT_PROPS = {
    "ro.product.name": "edgeocr_fake",
    "ro.product.model": "EdgeOCR Fake Phone",
    "ro.product.device": "fakephone",
    "ro.product.manufacturer": "EdgeOCR",
    "ro.product.cpu.abi": "arm64-v8a",
    "ro.product.cpu.abilist": "arm64-v8a,armeabi-v7a,armeabi",
    "ro.build.version.release": "13",
    "ro.build.version.sdk": "33",
    "ro.serialno": "FAKE0001",
}

# getprop as on Android: one key -> its value or an empty line; no key -> "[key]: [value]" lines.
_GETPROP = """#!/bin/sh
props="$(dirname "$0")/../build.prop"
if [ $# -eq 0 ]; then
  awk '{ i = index($0, "="); printf "[%s]: [%s]\\n", substr($0, 1, i - 1), substr($0, i + 1) }' "$props"
else
  awk -v k="$1" 'index($0, k "=") == 1 { print substr($0, length(k) + 2); f = 1; exit }
                 END { if (!f) print "" }' "$props"
fi
"""


class _Stream:
    """One ADB stream: writes obey flow control (one un-acknowledged WRTE at a time)."""

    def __init__(self, conn: _Connection, local_id: int, remote_id: int) -> None:
        self.conn, self.local_id, self.remote_id = conn, local_id, remote_id
        self.closed = threading.Event()
        self._acked = threading.Event()
        self._acked.set()
        self._write_lock = threading.Lock()
        self._inbox: queue.Queue[bytes | None] = queue.Queue()
        self._pending = b""

    def start(self) -> None:
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        raise NotImplementedError

    def write(self, data: bytes) -> None:
        with self._write_lock:
            step = self.conn.max_payload
            for i in range(0, len(data), step):
                while not self._acked.wait(0.05):
                    if self.closed.is_set():
                        raise ConnectionError("stream closed")
                if self.closed.is_set():
                    raise ConnectionError("stream closed")
                self._acked.clear()
                self.conn.send(WRTE, self.local_id, self.remote_id, data[i : i + step])

    def read(self, n: int) -> bytes:
        """Exactly ``n`` bytes of what the host wrote (host writes may split anywhere)."""
        while len(self._pending) < n:
            chunk = self._inbox.get()
            if chunk is None:
                raise ConnectionError("stream closed by host")
            self._pending += chunk
        out, self._pending = self._pending[:n], self._pending[n:]
        return out

    def on_okay(self) -> None:
        self._acked.set()

    def on_write(self, data: bytes) -> None:
        self._inbox.put(data)

    def on_close(self) -> None:
        """The host closed the stream (or the connection died)."""
        self.closed.set()
        self._inbox.put(None)

    def finish(self) -> None:
        """Our side is done: tell the host, unless it already hung up."""
        if self.closed.is_set():
            return
        self.closed.set()
        self.conn.streams.pop(self.local_id, None)
        try:
            self.conn.send(CLSE, self.local_id, self.remote_id)
        except OSError:
            pass


class _ShellStream(_Stream):
    """``shell,v2,...:CMD`` (framed stdout/stderr/exit code) or legacy ``shell:CMD`` (raw)."""

    def __init__(self, conn: _Connection, local_id: int, remote_id: int, command: str, v2: bool) -> None:
        super().__init__(conn, local_id, remote_id)
        self.command, self.v2 = command, v2
        self.proc: subprocess.Popen | None = None

    def _serve(self) -> None:
        device = self.conn.device
        self.proc = subprocess.Popen(
            ["/bin/sh", "-c", self.command],
            cwd=device.root,
            env=device.shell_env(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE if self.v2 else subprocess.STDOUT,
            start_new_session=True,
        )
        if self.closed.is_set():  # the host hung up while we were starting
            self._kill()
        if device.vanish_on and device.vanish_on in self.command:
            threading.Timer(device.vanish_delay_s, device.vanish).start()
        threading.Thread(target=self._feed_stdin, daemon=True).start()
        pumps = [threading.Thread(target=self._pump, args=(self.proc.stdout, SHELL_STDOUT), daemon=True)]
        if self.v2:
            pumps.append(threading.Thread(target=self._pump, args=(self.proc.stderr, SHELL_STDERR), daemon=True))
        for t in pumps:
            t.start()
        for t in pumps:
            t.join()
        code = self.proc.wait()
        try:
            if self.v2:
                self._packet(SHELL_EXIT, bytes([code & 0xFF]))
        except ConnectionError:
            return
        self.finish()

    def _packet(self, kind: int, data: bytes) -> None:
        self.write(struct.pack("<BI", kind, len(data)) + data if self.v2 else data)

    def _pump(self, pipe, kind: int) -> None:
        with pipe:
            try:
                while chunk := os.read(pipe.fileno(), 65536):
                    self._packet(kind, chunk)
            except ConnectionError:
                self._kill()

    def _feed_stdin(self) -> None:
        """Forward v2 stdin packets until the host closes its stdin (legacy sessions get
        none: nothing in edgeocr sends input to them)."""
        stdin = self.proc.stdin
        try:
            while self.v2:
                kind, length = struct.unpack("<BI", self.read(5))
                data = self.read(length)
                if kind == SHELL_CLOSE_STDIN:
                    break
                if kind == SHELL_STDIN:
                    stdin.write(data)
                    stdin.flush()
        except (ConnectionError, BrokenPipeError):
            pass
        try:
            stdin.close()
        except BrokenPipeError:
            pass

    def on_close(self) -> None:
        super().on_close()
        self._kill()

    def _kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


class _SyncStream(_Stream):
    """``sync:``: STAT (v1, lstat semantics), LIST, SEND and RECV, as adbd answers them."""

    def _serve(self) -> None:
        handlers = {b"STAT": self._stat, b"LIST": self._list, b"SEND": self._send, b"RECV": self._recv}
        try:
            while True:
                ident, length = struct.unpack("<4sI", self.read(8))
                handler = handlers.get(ident)
                if handler is None:  # QUIT, or something we do not speak
                    break
                if not handler(self.read(length).decode("utf-8", "surrogateescape")):
                    break
        except ConnectionError:
            return
        self.finish()

    def _path(self, remote: str) -> Path:
        return Path(remote) if remote.startswith("/") else self.conn.device.root / remote

    def _fail(self, message: str) -> bool:
        data = message.encode()
        self.write(b"FAIL" + struct.pack("<I", len(data)) + data)
        return False

    def _stat(self, remote: str) -> bool:
        try:
            st = os.lstat(self._path(remote))
            fields = (st.st_mode, st.st_size & 0xFFFFFFFF, int(st.st_mtime))
        except OSError:
            fields = (0, 0, 0)
        self.write(b"STAT" + struct.pack("<3I", *fields))
        return True

    def _list(self, remote: str) -> bool:
        out = []
        try:
            with os.scandir(self._path(remote)) as entries:
                for entry in entries:
                    st = entry.stat(follow_symlinks=False)
                    name = os.fsencode(entry.name)
                    out.append(b"DENT" + struct.pack("<4I", st.st_mode, st.st_size & 0xFFFFFFFF, int(st.st_mtime), len(name)) + name)
        except OSError:
            pass
        self.write(b"".join(out) + b"DONE" + bytes(16))
        return True

    def _send(self, spec: str) -> bool:
        remote, _, mode = spec.rpartition(",")
        path, device = self._path(remote), self.conn.device
        error, f = None, None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            f = open(path, "wb")
        except OSError as e:
            error = f"couldn't create file: {e.strerror}"
        while True:
            ident, length = struct.unpack("<4sI", self.read(8))
            if ident == b"DONE":
                mtime = length
                break
            data = self.read(length)
            if error is None and not device.consume_quota(len(data)):
                error = f"write failed: {os.strerror(28)}"  # ENOSPC, as adbd reports it
            if error is None:
                f.write(data)
        if f is not None:
            f.close()
            if error is not None:
                path.unlink(missing_ok=True)
        if error is not None:
            return self._fail(error)
        os.chmod(path, int(mode) & 0o7777)
        os.utime(path, (mtime, mtime))
        self.write(b"OKAY" + bytes(4))
        return True

    def _recv(self, remote: str) -> bool:
        try:
            f = open(self._path(remote), "rb")
        except OSError as e:
            return self._fail(f"open failed: {e.strerror}")
        with f:
            while block := f.read(SYNC_CHUNK):
                self.write(b"DATA" + struct.pack("<I", len(block)) + block)
        self.write(b"DONE" + bytes(4))
        return True


class _Connection:
    """One TCP connection from the adb server: packet reader and dispatcher."""

    def __init__(self, device: FakeAdbDevice, sock: socket.socket) -> None:
        self.device, self.sock = device, sock
        self.max_payload = MAX_PAYLOAD
        self.streams: dict[int, _Stream] = {}
        self._send_lock = threading.Lock()
        self._next_id = 1

    def send(self, command: int, arg0: int, arg1: int, data: bytes = b"") -> None:
        header = HEADER.pack(command, arg0, arg1, len(data), sum(data) & 0xFFFFFFFF, command ^ 0xFFFFFFFF)
        with self._send_lock:
            self.sock.sendall(header + data)

    def _recv_exact(self, n: int) -> bytes:
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise ConnectionError("host closed the connection")
            buf += chunk
        return buf

    def serve(self) -> None:
        try:
            while True:
                command, arg0, arg1, length, _, _ = HEADER.unpack(self._recv_exact(HEADER.size))
                self._dispatch(command, arg0, arg1, self._recv_exact(length) if length else b"")
        except OSError:
            pass
        finally:
            self.close()

    def _dispatch(self, command: int, arg0: int, arg1: int, data: bytes) -> None:
        if (command == CNXN and not self.device.authorized) or (command == AUTH and arg0 == AUTH_SIGNATURE):
            # Ask for a signature and reject every one, until the host offers its public key
            # (which "the user" never accepts): the host then lists us as unauthorized.
            self.send(AUTH, AUTH_TOKEN, 0, os.urandom(20))
        elif command == CNXN:  # no AUTH: answer with our own CNXN, like a device with adb auth off
            self.max_payload = min(arg1, MAX_PAYLOAD)
            self.send(CNXN, VERSION, MAX_PAYLOAD, self.device.banner())
        elif command == OPEN:
            self._open(arg0, data.rstrip(b"\0").decode("utf-8", "surrogateescape"))
        elif command == OKAY and arg1 in self.streams:
            self.streams[arg1].on_okay()
        elif command == WRTE and arg1 in self.streams:
            self.send(OKAY, arg1, arg0)
            self.streams[arg1].on_write(data)
        elif command == CLSE and arg1 in self.streams:
            self.streams.pop(arg1).on_close()

    def _open(self, remote_id: int, service: str) -> None:
        self.device.services.append(service)
        local_id, self._next_id = self._next_id, self._next_id + 1
        kind, _, command = service.partition(":")
        options = kind.split(",")
        if options[0] == "shell":
            stream: _Stream = _ShellStream(self, local_id, remote_id, command, v2="v2" in options)
        elif kind == "sync":
            stream = _SyncStream(self, local_id, remote_id)
        else:
            self.send(CLSE, 0, remote_id)
            return
        self.streams[local_id] = stream
        self.send(OKAY, local_id, remote_id)
        stream.start()

    def close(self) -> None:
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
        for stream in list(self.streams.values()):
            stream.on_close()
        self.streams.clear()


class FakeAdbDevice:
    """A phone on ``127.0.0.1:<port>`` (port chosen by the OS, never in the emulator range).

    ``root`` is the shell's working folder, ``props`` override :data:`DEFAULT_PROPS`,
    ``features`` go into the connection banner, ``env`` is added to shell commands'
    environment, ``authorized=False`` plays a phone whose USB-debugging prompt nobody
    accepted. ``services`` records every service the host opened.
    """

    def __init__(
        self,
        root: str | os.PathLike,
        props: dict[str, str] | None = None,
        *,
        features: tuple[str, ...] = ("shell_v2", "cmd"),
        quota_bytes: int | None = None,
        env: dict[str, str] | None = None,
        authorized: bool = True,
    ) -> None:
        self.root = Path(root)
        self.props = {**DEFAULT_PROPS, **(props or {})}
        self.features = features
        self.quota_bytes = quota_bytes
        self.env = dict(env or {})
        self.authorized = authorized
        self.vanish_on: str | None = None  # a shell command containing this makes the device vanish
        self.vanish_delay_s = 0.3
        self.services: list[str] = []
        self.bytes_pushed = 0
        self._quota_lock = threading.Lock()
        self._connections: list[_Connection] = []
        self._listener: socket.socket | None = None
        self._tools = Path(tempfile.mkdtemp(prefix="fake-adbd-"))
        self.port = 0

    @property
    def serial(self) -> str:
        return f"127.0.0.1:{self.port}"

    def banner(self) -> bytes:
        p = self.props
        return (
            f"device::ro.product.name={p['ro.product.name']};ro.product.model={p['ro.product.model']};"
            f"ro.product.device={p['ro.product.device']};features={','.join(self.features)}"
        ).encode()

    def shell_env(self) -> dict[str, str]:
        bin_dir = self._tools / "bin"
        bin_dir.mkdir(exist_ok=True)
        getprop = bin_dir / "getprop"
        getprop.write_text(_GETPROP)
        getprop.chmod(0o755)
        (self._tools / "build.prop").write_text("".join(f"{k}={v}\n" for k, v in self.props.items()))
        env = {**os.environ, **self.env}
        env["PATH"] = f"{bin_dir}:{env.get('PATH', '/usr/bin:/bin')}"
        return env

    def consume_quota(self, n: int) -> bool:
        """Account ``n`` pushed bytes; False once the 'disk' would overflow."""
        with self._quota_lock:
            if self.quota_bytes is not None and self.bytes_pushed + n > self.quota_bytes:
                return False
            self.bytes_pushed += n
            return True

    def start(self) -> FakeAdbDevice:
        self.root.mkdir(parents=True, exist_ok=True)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        assert self.port not in ADB_EMULATOR_PORTS, self.port
        threading.Thread(target=self._accept, args=(self._listener,), daemon=True).start()
        return self

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                sock, _ = listener.accept()
            except OSError:
                return
            conn = _Connection(self, sock)
            self._connections.append(conn)
            threading.Thread(target=conn.serve, daemon=True).start()

    def vanish(self) -> None:
        """Drop off the wire like an unplugged phone: close every connection, accept no new one."""
        if self._listener is not None:
            try:
                self._listener.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
            except OSError:
                pass
            self._listener.close()
            self._listener = None
        for conn in self._connections:
            conn.close()
        self._connections.clear()

    def stop(self) -> None:
        self.vanish()
        shutil.rmtree(self._tools, ignore_errors=True)

    def __enter__(self) -> FakeAdbDevice:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
