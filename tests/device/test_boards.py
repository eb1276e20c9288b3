"""The devices file: valid boards load, every mistake names the file and the board."""

from __future__ import annotations

from pathlib import Path

import pytest

from edgeocr.device.boards import BoardConfig, load_boards
from edgeocr.errors import InputError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "devices.yml"
    path.write_text(text)
    return path


def test_boards_load_with_defaults_and_resolved_paths(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "boards:\n"
        "  - name: rpi4\n    host: 192.168.1.42\n    user: pi\n    identity: keys/id_ed25519\n"
        "    strict_host_key_checking: no\n    options: [Compression=yes]\n"
        "  - {name: jetson, host: jetson.local, port: 2222, connect_timeout: 3}\n",
    )
    rpi, jetson = load_boards(path)
    assert rpi == BoardConfig(
        name="rpi4",
        host="192.168.1.42",
        user="pi",
        identity=str(tmp_path / "keys" / "id_ed25519"),
        strict_host_key_checking="no",  # YAML's bare `no` is a boolean
        options=("Compression=yes",),
    )
    assert (jetson.port, jetson.connect_timeout, jetson.strict_host_key_checking) == (2222, 3.0, "accept-new")


@pytest.mark.parametrize(
    "text, message",
    [
        ("boards:\n  - {name: rpi4, hots: 10.0.0.2}\n", r"boards\[0\] \(rpi4\): unknown key 'hots'"),
        ("boards:\n  - {name: rpi4}\n", r"'host' is required"),
        ("boards:\n  - {name: rpi4, host: h, port: 70000}\n", r"'port' must be an integer"),
        ("boards:\n  - {name: a, host: h}\n  - {name: a, host: i}\n", r"unique: a"),
        ("boards:\n  - {name: a, host: h, strict_host_key_checking: maybe}\n", r"one of yes, no, accept-new"),
        ("boards:\n  - {name: a, host: h, options: [Compression]}\n", r"'Key=Value'"),
        ("boards: {name: a}\n", r"'boards' must be a list"),
        ("board:\n  - {name: a, host: h}\n", r"one key 'boards'"),
        ("boards: [\n", r"cannot read devices file"),
    ],
)
def test_mistakes_name_the_file(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(InputError, match=message) as e:
        load_boards(path)
    assert str(path) in str(e.value)


def test_missing_default_file_means_no_boards(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EDGEOCR_DEVICES", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert load_boards() == []
    monkeypatch.setenv("EDGEOCR_DEVICES", str(tmp_path / "typo.yml"))
    with pytest.raises(InputError, match="typo.yml: devices file not found"):
        load_boards()
