"""``edgeocr devices``: a phone, a reachable and an unreachable board, and this host."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from edgeocr.cli.devices_cmd import devices, freq_summary
from tests.device.conftest import Sshd, free_port
from tests.device.fake_adbd import FakeAdbDevice


def test_devices_lists_every_transport(
    phone: FakeAdbDevice, sshd: Sshd, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "devices.yml"
    config.write_text(
        "boards:\n"
        f"  - {{name: board, host: 127.0.0.1, port: {sshd.port}, user: {sshd.user}, identity: {sshd.client_key},"
        f" known_hosts: {sshd.known_hosts}}}\n"
        f"  - {{name: unplugged, host: 127.0.0.1, port: {free_port()}, connect_timeout: 2}}\n"
    )
    monkeypatch.setenv("EDGEOCR_DEVICES", str(config))
    out = tmp_path / "devices.json"
    result = CliRunner().invoke(devices, ["--json", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    lines = {line.split("|")[1].strip(): line for line in result.output.splitlines()[2:]}
    assert "arm64-v8a" in lines[phone.serial] and "android 13" in lines[phone.serial]
    assert "| device " in lines[f"board ({sshd.user}@127.0.0.1:{sshd.port})"]
    assert "| offline " in next(v for k, v in lines.items() if k.startswith("unplugged"))
    assert "| local " in lines["local"]

    rows = {r["name"]: r for r in json.loads(out.read_text())}
    assert rows[phone.serial]["state"] == "device" and rows[phone.serial]["model"] == "EdgeOCR Fake Phone"
    assert rows["board"]["transport"] == "ssh" and rows["board"]["cpu_cores"] >= 1
    assert rows["unplugged"]["state"] == "offline" and "model" not in rows["unplugged"]
    assert rows["local"]["os"].startswith("linux ")


def test_broken_devices_file_is_one_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "devices.yml"
    config.write_text("boards:\n  - {name: rpi4, hots: 10.0.0.2}\n")
    monkeypatch.setenv("EDGEOCR_DEVICES", str(config))
    monkeypatch.setenv("EDGEOCR_ADB", "/nonexistent/adb")  # never reached: the file is read first
    monkeypatch.setattr(sys, "argv", ["edgeocr", "devices"])
    from edgeocr.cli.main import main  # the whole CLI: registration included

    with pytest.raises(SystemExit) as e:
        main()
    assert e.value.code == 2
    assert capsys.readouterr().err == (
        f"edgeocr: error: {config}: boards[0] (rpi4): unknown key 'hots' "
        "(known: name, host, port, user, identity, workdir, known_hosts, strict_host_key_checking, connect_timeout, options)\n"
    )


def test_freq_summary_groups_clusters() -> None:
    assert freq_summary([1804800] * 4 + [2419200] * 3 + [2841600]) == "4x1.80+3x2.42+1x2.84 GHz"
    assert freq_summary([]) == ""
