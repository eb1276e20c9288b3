"""ssh specifics against a loopback sshd: keys, host keys, unreachable boards, the devices file."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from edgeocr.device import DeviceNotFound, DeviceOffline, DeviceUnauthorized, SshDevice, get_device
from tests.device.conftest import Sshd, free_port


def test_wrong_key_is_unauthorized(sshd: Sshd, tmp_path: Path) -> None:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(tmp_path / "other")], check=True)
    device = sshd.device(identity=str(tmp_path / "other"))
    with pytest.raises(DeviceUnauthorized, match="ssh key rejected"):
        device.shell("true")
    assert device.state() == "unauthorized"


def test_unknown_host_key_is_refused_under_strict_checking(sshd: Sshd, tmp_path: Path) -> None:
    (tmp_path / "known_hosts").write_text("")
    with pytest.raises(DeviceUnauthorized, match="host key not trusted"):
        sshd.device(known_hosts=str(tmp_path / "known_hosts")).shell("true")


def test_accept_new_trusts_and_records_a_first_host_key(sshd: Sshd, tmp_path: Path) -> None:
    known_hosts = tmp_path / "known_hosts"
    device = sshd.device(known_hosts=str(known_hosts), strict_host_key_checking="accept-new")
    r = device.shell("echo hi", check=True)
    assert r.stdout == "hi\n" and r.stderr == ""  # no "Permanently added" chatter
    host_key = (sshd.known_hosts.parent / "host_key.pub").read_text().split()[1]
    assert host_key in known_hosts.read_text()  # (the host name may be hashed)


def test_unreachable_board_is_offline(loopback_only: None) -> None:
    device = SshDevice("127.0.0.1", port=free_port(), connect_timeout=2, name="gone")
    with pytest.raises(DeviceOffline, match="gone: ssh connection failed"):
        device.shell("true")
    assert device.state() == "offline"


def test_board_from_the_devices_file(sshd: Sshd, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "conf" / "devices.yml"
    config.parent.mkdir()
    (config.parent / "keys").mkdir()
    (config.parent / "keys" / "board_key").write_bytes(sshd.client_key.read_bytes())
    (config.parent / "keys" / "board_key").chmod(0o600)
    config.write_text(
        "boards:\n"
        f"  - {{name: rpi4, host: 127.0.0.1, port: {sshd.port}, user: {sshd.user}, identity: keys/board_key,\n"
        f"     known_hosts: {sshd.known_hosts}, strict_host_key_checking: yes, workdir: /opt/edgeocr}}\n"
    )
    monkeypatch.setenv("EDGEOCR_DEVICES", str(config))
    device = get_device(ssh="rpi4")
    assert isinstance(device, SshDevice)
    assert (device.name, device.serial, device.workdir) == ("rpi4", f"{sshd.user}@127.0.0.1:{sshd.port}", "/opt/edgeocr")
    assert device.shell("echo $((6 * 7))", check=True).stdout == "42\n"
    with pytest.raises(DeviceNotFound, match=r"no board named 'rpi5'.*boards: rpi4"):
        get_device(ssh="rpi5")


def test_ad_hoc_ssh_targets() -> None:
    device = SshDevice.from_spec("pi@10.0.0.2:2222")
    assert (device.user, device.host, device.port, device.serial) == ("pi", "10.0.0.2", 2222, "pi@10.0.0.2:2222")
    assert SshDevice.from_spec("root@board.local").port == 22
    with pytest.raises(DeviceNotFound, match="user@host"):
        SshDevice.from_spec("pi@host:notaport")
