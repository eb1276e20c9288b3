"""Fixtures for device tests: a private adb server, loopback fake phones, a loopback sshd.

Everything that listens or talks here must stay on loopback: the adb server does mDNS
discovery on its own, so these fixtures refuse to start unless the tests run in a private
network namespace that has only ``lo``::

    unshare --net sh -c 'ip link set lo up && .venv/bin/pytest -q tests/device'

The adb server runs on its own port with its own key folder, so a developer's server and
``~/.android`` are never touched, and it is killed at the end of the session.
"""

from __future__ import annotations

import getpass
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import pytest

from edgeocr.device import AdbDevice, EmulatedDevice, LocalDevice, SshDevice, connect, disconnect
from edgeocr.device.errors import DeviceError
from tests.device.fake_adbd import ADB_EMULATOR_PORTS, FakeAdbDevice

ADB = shutil.which("adb") or "/usr/bin/adb"
SSHD = shutil.which("sshd") or "/usr/sbin/sshd"
def free_port() -> int:
    """A free loopback port, never one the adb server scans for emulators."""
    while True:
        with socket.create_server(("127.0.0.1", 0)) as s:
            port = s.getsockname()[1]
        if port not in ADB_EMULATOR_PORTS:
            return port


@pytest.fixture(scope="session")
def adb_server(loopback_only: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """A private adb server (own port, own key folder) for the whole session."""
    port = free_port()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ANDROID_ADB_SERVER_PORT", str(port))
        mp.setenv("ANDROID_SDK_HOME", str(tmp_path_factory.mktemp("adb_home")))  # adbkey lands here
        mp.delenv("ANDROID_SERIAL", raising=False)
        mp.delenv("EDGEOCR_ADB", raising=False)
        subprocess.run([ADB, "start-server"], check=True, capture_output=True, timeout=60)
        try:
            yield port
        finally:
            subprocess.run([ADB, "kill-server"], capture_output=True, timeout=60)


@pytest.fixture
def make_phone(adb_server: int, tmp_path: Path) -> Iterator[Callable[..., FakeAdbDevice]]:
    """Factory: ``make_phone(**FakeAdbDevice options)`` starts a fake phone rooted in a fresh
    folder and ``adb connect``s it; every phone is disconnected and stopped afterwards."""
    phones: list[FakeAdbDevice] = []

    def make(connected: bool = True, **options) -> FakeAdbDevice:
        phone = FakeAdbDevice(tmp_path / f"phone{len(phones)}", **options).start()
        phones.append(phone)
        if connected:
            connect(phone.serial)
        return phone

    yield make
    for phone in phones:
        try:
            disconnect(phone.serial)
        except DeviceError:
            pass
        phone.stop()


@pytest.fixture
def phone(make_phone: Callable[..., FakeAdbDevice]) -> FakeAdbDevice:
    """One connected fake phone (arm64-v8a, Android 13)."""
    return make_phone()


@dataclass(frozen=True)
class Sshd:
    """A loopback sshd and what a client needs to reach it."""

    port: int
    user: str
    client_key: Path
    known_hosts: Path
    log: Path

    def device(self, **options) -> SshDevice:
        settings = dict(
            port=self.port,
            user=self.user,
            identity=str(self.client_key),
            known_hosts=str(self.known_hosts),
            strict_host_key_checking="yes",
            connect_timeout=5,
        )
        return SshDevice("127.0.0.1", **{**settings, **options})


def _keygen(path: Path) -> None:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "edgeocr-test", "-f", str(path)], check=True)


@pytest.fixture(scope="session")
def sshd(loopback_only: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sshd]:
    """``sshd -D -e`` on 127.0.0.1 with throwaway host and client keys."""
    d = tmp_path_factory.mktemp("sshd")
    _keygen(d / "host_key")
    _keygen(d / "client_key")
    shutil.copy(d / "client_key.pub", d / "authorized_keys")
    port = free_port()
    host_key = (d / "host_key.pub").read_text().split()
    (d / "known_hosts").write_text(f"[127.0.0.1]:{port} {host_key[0]} {host_key[1]}\n")
    (d / "sshd_config").write_text(
        f"ListenAddress 127.0.0.1\nPort {port}\nHostKey {d / 'host_key'}\n"
        f"AuthorizedKeysFile {d / 'authorized_keys'}\nPermitRootLogin yes\n"
        "PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\n"
        "StrictModes no\nPidFile none\nPrintMotd no\n"
        "KexAlgorithms curve25519-sha256\n"  # the post-quantum default costs ~0.3 s a connection
    )
    Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege-separation folder
    log = d / "sshd.log"
    with open(log, "wb") as log_file:
        proc = subprocess.Popen([SSHD, "-D", "-e", "-f", str(d / "sshd_config")], stderr=log_file)
    try:
        _wait_listening(port, proc, log)
        yield Sshd(port, getpass.getuser(), d / "client_key", d / "known_hosts", log)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _wait_listening(port: int, proc: subprocess.Popen, log: Path, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"sshd exited with {proc.returncode}: {log.read_text()}", pytrace=False)
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    pytest.fail(f"sshd did not listen on port {port}: {log.read_text()}", pytrace=False)


@dataclass
class Target:
    """A device under test, a folder on it to work in, and the transport's fake if any."""

    device: AdbDevice | SshDevice | LocalDevice
    workdir: str
    phone: FakeAdbDevice | None = None


@pytest.fixture(params=["adb", "ssh", "local"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Target:
    """The same device contract, once per transport. The 'device' side of each is this host,
    so its work folder lives under ``tmp_path`` and tests can look at it directly."""
    workdir = str(tmp_path / "device work")
    if request.param == "adb":
        phone = request.getfixturevalue("phone")
        return Target(AdbDevice(phone.serial, workdir=workdir), workdir, phone)
    if request.param == "ssh":
        return Target(request.getfixturevalue("sshd").device(name="board", workdir=workdir), workdir)
    return Target(LocalDevice(workdir=workdir), workdir)


# -- deploy and bench --------------------------------------------------------------------------

X86_PROPS = {"ro.product.cpu.abi": "x86_64", "ro.product.cpu.abilist": "x86_64"}
NASTY = "dev work $(touch PWNED) `touch PWNED2`; 'q\" &"


@pytest.fixture
def x86_phone(make_phone: Callable[..., FakeAdbDevice]) -> FakeAdbDevice:
    """A connected fake phone that reports an x86_64 ABI, so x86 bundles pass the ABI check and
    the Python runner runs "on" it with this host's Paddle-Lite."""
    return make_phone(props=X86_PROPS)


@pytest.fixture(scope="session")
def bench_labels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two small labelled det scenes (det format), rendered once per session."""
    from edgeocr.data.synth import SynthConfig, synth_det

    config = SynthConfig(det_size=((400, 300), (440, 330)), det_lines=(2, 3), blur_prob=0, noise_prob=0)
    return synth_det(tmp_path_factory.mktemp("bench data") / "det", 2, seed=3, config=config) / "labels.txt"


@pytest.fixture
def emulated_target(emulated_root_dir: Path, tmp_path: Path) -> Iterator[Target]:
    """The emulated board as a contract ``Target``: ``tmp_path`` is shared into it at its own path, so
    the contract's checks of the device's files on this host hold; the mount points this leaves in
    the user space are removed afterwards."""
    workdir = str(tmp_path / "device work")
    yield Target(EmulatedDevice(emulated_root_dir, workdir=workdir, shared=[tmp_path]), workdir)
    mount_point, stop = Path(f"{emulated_root_dir}{tmp_path}"), emulated_root_dir / "tmp"
    while mount_point != stop and mount_point.is_relative_to(stop):
        try:
            mount_point.rmdir()  # empty folders only: never into what a bind showed there
        except OSError:
            break
        mount_point = mount_point.parent
