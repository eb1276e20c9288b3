"""The devices file: ARM Linux boards reached over ssh, by name.

``$EDGEOCR_DEVICES`` or ``~/.config/edgeocr/devices.yml``::

    boards:
      - name: rpi4                  # what --ssh takes
        host: 192.168.1.42
        port: 22                    # optional from here on
        user: pi
        identity: ~/.ssh/id_ed25519 # relative paths are relative to this file
        workdir: /home/pi/edgeocr   # where deploy puts files
        known_hosts: ~/.ssh/known_hosts
        strict_host_key_checking: accept-new   # yes | no | accept-new
        connect_timeout: 10
        options: ["Ciphers=aes128-gcm@openssh.com"]   # extra ssh -o options

Any key we do not know is an error naming the file and board: a typo must not silently
fall back to a default (``hots:`` would otherwise ssh to nowhere).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import yaml

from edgeocr.device.errors import DeviceNotFound
from edgeocr.errors import InputError

DEVICES_ENV = "EDGEOCR_DEVICES"
HOST_KEY_POLICIES = ("yes", "no", "accept-new")


@dataclass(frozen=True)
class BoardConfig:
    """One ``boards:`` entry, validated."""

    name: str
    host: str
    port: int = 22
    user: str | None = None
    identity: str | None = None
    workdir: str | None = None
    known_hosts: str | None = None
    strict_host_key_checking: str = "accept-new"
    connect_timeout: float = 10.0
    options: tuple[str, ...] = ()


_KEYS = tuple(f.name for f in fields(BoardConfig))


def devices_file() -> Path:
    """Where the devices file is (it need not exist)."""
    env = os.environ.get(DEVICES_ENV)
    return Path(env).expanduser() if env else Path.home() / ".config" / "edgeocr" / "devices.yml"


def load_boards(path: str | os.PathLike | None = None) -> list[BoardConfig]:
    """Boards in the devices file; none when the default file does not exist.

    A file named explicitly (argument or ``$EDGEOCR_DEVICES``) must exist.
    """
    explicit = path is not None or DEVICES_ENV in os.environ
    file = Path(path).expanduser() if path is not None else devices_file()
    if not file.is_file():
        if explicit:
            raise InputError(f"{file}: devices file not found")
        return []
    try:
        doc = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise InputError(f"{file}: cannot read devices file: {e}") from None
    if doc is None:
        return []
    if not isinstance(doc, dict) or set(doc) - {"boards"}:
        raise InputError(f"{file}: expected a mapping with one key 'boards' (a list of boards)")
    entries = doc.get("boards") or []
    if not isinstance(entries, list):
        raise InputError(f"{file}: 'boards' must be a list")
    boards = [_board(file, i, entry) for i, entry in enumerate(entries)]
    names = [b.name for b in boards]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise InputError(f"{file}: board names must be unique: {', '.join(duplicates)}")
    return boards


def find_board(name: str, path: str | os.PathLike | None = None) -> BoardConfig:
    """The board called ``name``; ``DeviceNotFound`` lists the ones there are."""
    boards = load_boards(path)
    for board in boards:
        if board.name == name:
            return board
    known = ", ".join(b.name for b in boards) or "none"
    raise DeviceNotFound(f"no board named {name!r} in {path or devices_file()} (boards: {known})")


def _board(file: Path, index: int, entry: Any) -> BoardConfig:
    where = f"{file}: boards[{index}]"
    if not isinstance(entry, dict):
        raise InputError(f"{where}: expected a mapping with at least 'name' and 'host'")
    if isinstance(entry.get("name"), str):
        where += f" ({entry['name']})"
    unknown = sorted(set(map(str, entry)) - set(_KEYS))
    if unknown:
        raise InputError(f"{where}: unknown key {', '.join(map(repr, unknown))} (known: {', '.join(_KEYS)})")
    for key in ("name", "host"):
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            raise InputError(f"{where}: '{key}' is required and must be a non-empty string")
    for key in ("user", "identity", "workdir", "known_hosts"):
        if entry.get(key) is not None and not isinstance(entry[key], str):
            raise InputError(f"{where}: '{key}' must be a string")
    port = entry.get("port", 22)
    if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
        raise InputError(f"{where}: 'port' must be an integer between 1 and 65535, not {port!r}")
    timeout = entry.get("connect_timeout", 10.0)
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0:
        raise InputError(f"{where}: 'connect_timeout' must be a positive number of seconds")
    policy = entry.get("strict_host_key_checking", "accept-new")
    if isinstance(policy, bool):  # YAML reads a bare yes/no as a boolean
        policy = "yes" if policy else "no"
    if policy not in HOST_KEY_POLICIES:
        raise InputError(f"{where}: 'strict_host_key_checking' must be one of {', '.join(HOST_KEY_POLICIES)}")
    options = entry.get("options") or []
    if not isinstance(options, list) or not all(isinstance(o, str) and "=" in o for o in options):
        raise InputError(f"{where}: 'options' must be a list of ssh 'Key=Value' strings")
    return BoardConfig(
        name=entry["name"],
        host=entry["host"],
        port=port,
        user=entry.get("user"),
        identity=_resolve(file, entry.get("identity")),
        workdir=entry.get("workdir"),
        known_hosts=_resolve(file, entry.get("known_hosts")),
        strict_host_key_checking=policy,
        connect_timeout=float(timeout),
        options=tuple(options),
    )


def _resolve(file: Path, value: str | None) -> str | None:
    """``~`` expanded; relative to the devices file's folder, so the file can travel with its keys."""
    return None if value is None else str(file.parent / Path(value).expanduser())
