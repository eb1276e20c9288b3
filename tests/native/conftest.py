"""Native fixtures: one native and one aarch64 cross build of ``targets/native`` per test
session (the slow part: built once, shared by every test), and helpers to run its tools."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from pathlib import Path

import pytest

from edgeocr.runner.native_build import cross_build_aarch64_linux, host_build

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def native_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``targets/native`` built for this machine, tests and replay runner included; unoptimised
    to save build time (the optimised code is what the aarch64 build tests)."""
    return host_build(tmp_path_factory.mktemp("native_build"), optimize=False)


@pytest.fixture(scope="session")
def cross_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``targets/native`` cross-built for aarch64 Linux with Debian's g++-aarch64-linux-gnu, optimised as shipped."""
    return cross_build_aarch64_linux(tmp_path_factory.mktemp("cross_build"))


@pytest.fixture(scope="session")
def replay_cases(x86_bundle, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """Rendered images, the Python runner's results on them and the recordings of its model calls, per mode."""
    from tests.native.replay_cases import record_cases

    return record_cases(x86_bundle, tmp_path_factory.mktemp("replay_cases"))


def probe(build: Path, op: str, cases: list) -> list:
    """Results of core routine ``op`` on ``cases`` (see tests/probe_main.cpp)."""
    proc = subprocess.run([str(build / "tests" / "edgeocr_core_probe")], input=json.dumps({"op": op, "cases": cases}),
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)["results"]


def rehash(bundle: Path, name: str) -> None:
    """Record a changed or added file's hash in the manifest, as if the bundle had been made that way."""
    manifest = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"][name] = hashlib.sha256((bundle / name).read_bytes()).hexdigest()
    (bundle / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def qemu_env() -> dict[str, str]:
    """Environment for running aarch64 binaries under qemu-user with Debian's cross sysroot."""
    return {**os.environ, "QEMU_LD_PREFIX": "/usr/aarch64-linux-gnu"}
