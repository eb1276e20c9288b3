"""Target profiles (``targets/*.yml``): which Paddle-Lite places, ABI and runtime a device needs.

Profiles are data, not code, so a new board is a new YAML file. Every key is validated:
a typo in a profile must fail loudly, not silently fall back to a default.
"""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass
from pathlib import Path

import yaml

from edgeocr.errors import InputError

REQUIRED = {"name", "description", "os", "abi", "arch", "lite_places", "runtime"}
RUNTIME_KEYS = {"version", "library", "extra_libraries", "release"}
HOST_ARCH = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "aarch64", "arm64": "aarch64", "armv7l": "armv7"}


def host_arch() -> str:
    """This machine's CPU architecture in the profiles' terms (aarch64 / armv7 / x86_64)."""
    return HOST_ARCH.get(platform.machine().lower(), platform.machine().lower())


def targets_dir() -> Path:
    """``$EDGEOCR_TARGETS`` or the repository's ``targets/`` folder."""
    env = os.environ.get("EDGEOCR_TARGETS")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "targets"


@dataclass(frozen=True)
class Target:
    name: str
    description: str
    os: str                   # android | linux
    abi: str                  # getprop ro.product.cpu.abi (android) / uname -m (linux)
    arch: str                 # aarch64 | armv7 | x86_64
    lite_places: tuple[str, ...]
    runtime_version: str
    runtime_library: str
    extra_libraries: tuple[str, ...]
    runtime_release: str

    @property
    def runs_on_host(self) -> bool:
        """Whether this machine's ``paddlelite`` runtime can run bundles of this target: the
        runtime runs kernels of its own CPU architecture only."""
        return self.arch == host_arch()

    def to_json(self) -> dict:
        return {"name": self.name, "os": self.os, "abi": self.abi, "arch": self.arch,
                "lite_places": list(self.lite_places), "runtime_version": self.runtime_version}


def _parse(path: Path) -> Target:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise InputError(f"{path}: cannot read target profile ({e})") from e
    if not isinstance(data, dict):
        raise InputError(f"{path}: a target profile must be a mapping")
    unknown, missing = set(data) - REQUIRED, REQUIRED - set(data)
    if unknown or missing:
        raise InputError(f"{path}: unknown keys {sorted(unknown)}, missing keys {sorted(missing)}")
    rt = data["runtime"]
    if not isinstance(rt, dict) or set(rt) != RUNTIME_KEYS:
        raise InputError(f"{path}: runtime must have exactly the keys {sorted(RUNTIME_KEYS)}")
    if not isinstance(data["lite_places"], list) or not data["lite_places"]:
        raise InputError(f"{path}: lite_places must be a non-empty list")
    return Target(name=str(data["name"]), description=str(data["description"]), os=str(data["os"]),
                  abi=str(data["abi"]), arch=str(data["arch"]), lite_places=tuple(data["lite_places"]),
                  runtime_version=str(rt["version"]), runtime_library=str(rt["library"]),
                  extra_libraries=tuple(rt["extra_libraries"] or ()), runtime_release=str(rt["release"]))


def list_targets() -> list[Target]:
    return [_parse(p) for p in sorted(targets_dir().glob("*.yml"))]


def load_target(name: str) -> Target:
    """The profile called ``name``; an unknown name lists the valid ones."""
    path = targets_dir() / f"{name}.yml"
    if not path.is_file():
        valid = ", ".join(t.name for t in list_targets())
        raise InputError(f"unknown target {name!r}; valid targets: {valid}")
    target = _parse(path)
    if target.name != name:
        raise InputError(f"{path}: profile is named {target.name!r}, expected {name!r}")
    return target
