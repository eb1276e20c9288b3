"""Target profiles (``targets/*.yml``): the ABI a device runs and the runtimes it runs bundles on.

Profiles are data, not code, so a new board is a new YAML file. Every key is validated:
a typo in a profile must fail loudly, not silently fall back to a default. A profile lists
one or more runtimes (``runtimes:``, the first is the default); a loaded ``Target`` is the
profile with one of them chosen, so every stage reads ``target.runtime`` and none of them
needs to know which runtimes exist.
"""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from edgeocr.errors import InputError
from edgeocr.resources import resource_dir

REQUIRED = {"name", "description", "os", "abi", "arch", "runtimes"}
RUNTIME_KEYS = {"name", "version", "places", "library", "extra_libraries", "release"}
HOST_ARCH = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "aarch64", "arm64": "aarch64", "armv7l": "armv7"}


def host_arch() -> str:
    """This machine's CPU architecture in the profiles' terms (aarch64 / armv7 / x86_64)."""
    return HOST_ARCH.get(platform.machine().lower(), platform.machine().lower())


def targets_dir() -> Path:
    """``$EDGEOCR_TARGETS`` or the repository's ``targets/`` folder (see ``edgeocr.resources``)."""
    env = os.environ.get("EDGEOCR_TARGETS")
    return Path(env) if env else resource_dir("targets")


#: Runtimes a profile may name. Each is one adapter on every side (converter, Python
#: backend, runner); the stages read the name from the profile and the bundle.
RUNTIMES = ("paddle-lite", "onnxruntime")


@dataclass(frozen=True)
class RuntimeProfile:
    """The runtime a target runs bundles on, and what a native runner needs of it."""

    name: str                 # one of RUNTIMES
    version: str              # the runtime version bundles are made for (and checked against)
    places: tuple[str, ...]   # Paddle-Lite valid places (arm, x86) / ONNX Runtime execution providers (cpu)
    library: str              # the shared library a native runner loads, or python:<package>
    extra_libraries: tuple[str, ...]
    release: str              # which release download (or registry package) holds ``library``

    def to_json(self) -> dict:
        return {"name": self.name, "version": self.version, "places": list(self.places)}


@dataclass(frozen=True)
class Target:
    name: str
    description: str
    os: str                   # android | linux
    abi: str                  # getprop ro.product.cpu.abi (android) / uname -m (linux)
    arch: str                 # aarch64 | armv7 | x86_64
    runtime: RuntimeProfile   # the chosen one of ``runtimes``
    runtimes: tuple[RuntimeProfile, ...] = ()  # every runtime the profile lists, default first

    def with_runtime(self, name: str | None) -> Target:
        """This target running bundles on runtime ``name`` (``None``: the profile's default)."""
        if name is None:
            return replace(self, runtime=self.runtimes[0]) if self.runtimes else self
        for rt in self.runtimes:
            if rt.name == name:
                return replace(self, runtime=rt)
        known = ", ".join(rt.name for rt in self.runtimes)
        raise InputError(f"target {self.name} has no {name!r} runtime (its runtimes: {known})")

    @property
    def runs_on_host(self) -> bool:
        """Whether this machine's ``paddlelite`` runtime can run bundles of this target: the
        runtime runs kernels of its own CPU architecture only."""
        return self.arch == host_arch()

    def to_json(self) -> dict:
        return {"name": self.name, "os": self.os, "abi": self.abi, "arch": self.arch,
                "runtime": self.runtime.to_json()}


def _parse_runtime(path: Path, name: str, rt: object) -> RuntimeProfile:
    if name not in RUNTIMES:
        raise InputError(f"{path}: unknown runtime {name!r} (known: {', '.join(RUNTIMES)})")
    if not isinstance(rt, dict) or set(rt) != RUNTIME_KEYS - {"name"}:
        raise InputError(f"{path}: runtimes.{name} must have exactly the keys {sorted(RUNTIME_KEYS - {'name'})}")
    if not isinstance(rt["places"], list) or not rt["places"]:
        raise InputError(f"{path}: runtimes.{name}.places must be a non-empty list")
    return RuntimeProfile(name=name, version=str(rt["version"]), places=tuple(rt["places"]),
                          library=str(rt["library"]), extra_libraries=tuple(rt["extra_libraries"] or ()),
                          release=str(rt["release"]))


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
    listed = data["runtimes"]
    if not isinstance(listed, dict) or not listed:
        raise InputError(f"{path}: runtimes must map runtime names ({', '.join(RUNTIMES)}) to their settings")
    runtimes = tuple(_parse_runtime(path, str(n), rt) for n, rt in listed.items())
    return Target(name=str(data["name"]), description=str(data["description"]), os=str(data["os"]),
                  abi=str(data["abi"]), arch=str(data["arch"]), runtime=runtimes[0], runtimes=runtimes)


def list_targets() -> list[Target]:
    return [_parse(p) for p in sorted(targets_dir().glob("*.yml"))]


def load_target(name: str, runtime: str | None = None) -> Target:
    """The profile called ``name`` with runtime ``runtime`` (default: the profile's first);
    an unknown name lists the valid ones."""
    path = targets_dir() / f"{name}.yml"
    if not path.is_file():
        valid = ", ".join(t.name for t in list_targets())
        raise InputError(f"unknown target {name!r}; valid targets: {valid}")
    target = _parse(path)
    if target.name != name:
        raise InputError(f"{path}: profile is named {target.name!r}, expected {name!r}")
    return target.with_runtime(runtime)
