"""The C++ core and runner compile natively and for aarch64, and their C++ tests pass:
natively, and under qemu-user for the aarch64 build (ctest runs them through
CMAKE_CROSSCOMPILING_EMULATOR)."""

from __future__ import annotations

import json
import re
import subprocess

from edgeocr.runner.contract import EXIT_CODES, validate_probe
from edgeocr.runner.elf import read_elf
from tests.native.conftest import qemu_env


def run_ctest(build, env=None) -> str:
    proc = subprocess.run(["ctest", "--output-on-failure", "--test-dir", str(build)], capture_output=True, text=True,
                          timeout=600, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def test_core_tests_pass_natively(native_build):
    out = run_ctest(native_build)
    assert re.search(r"100% tests passed, 0 tests failed out of [1-9]", out)


def test_core_tests_pass_for_aarch64_under_qemu(cross_build):
    runner = cross_build / "tests" / "edgeocr-replay-runner"
    assert read_elf(runner).arch == "aarch64"  # really an ARM build, not a host one
    assert read_elf(cross_build / "tests" / "edgeocr_core_tests").arch == "aarch64"
    out = run_ctest(cross_build, env=qemu_env())
    assert re.search(r"100% tests passed, 0 tests failed out of [1-9]", out)


def test_runner_probe_and_error_object(native_build, tmp_path):
    """--probe answers the contract's probe object; failures print the error object last and
    exit with the contract's status, leaving --out unwritten."""
    runner = str(native_build / "tests" / "edgeocr-replay-runner")
    probe = subprocess.run([runner, "--probe"], capture_output=True, text=True, timeout=60)
    assert probe.returncode == 0
    validate_probe(json.loads(probe.stdout.strip().splitlines()[-1]))

    out = tmp_path / "r.json"
    for args, code, words in (
        (["--images", str(tmp_path)], "bad_args", "missing --out"),
        (["--bundle", str(tmp_path), "--images", str(tmp_path / "nope"), "--out", str(out)], "bad_input",
         "not a folder of images"),
        (["--bundle", str(tmp_path), "--images", str(tmp_path), "--out", str(out), "--mode", "fast"], "bad_args",
         "invalid choice: 'fast'"),
    ):
        proc = subprocess.run([runner, *args], capture_output=True, text=True, timeout=60)
        error = json.loads(proc.stdout.strip().splitlines()[-1])["error"]
        assert (proc.returncode, error["code"]) == (EXIT_CODES[code], code) and words in error["message"], proc.stdout
        assert not out.exists()
