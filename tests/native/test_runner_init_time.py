"""The native runner's ``init_ms`` is the contract's "load every model + one blank inference
each": creating the inference and the pipeline's blank runs count, reading the bundle
(sha256 of every file) does not. The replay runner's ``--replay-delay-ms`` makes creating
the inference and every model call take a known time; a large extra file in the bundle
makes hashing take seconds. Bounds are generous: this runs on loaded 2-core machines."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path

from edgeocr.runner.contract import validate_result
from tests.native.conftest import rehash

DELAY_MS = 300
BLANK_RUNS = 2  # mode rec: det and rec once each on a blank input
EXTRA_MIB = 128  # about 1.7 s of hashing for the unoptimised test build here


def run_timed(native_build: Path, bundle: Path, case: dict, out: Path) -> tuple[float, dict]:
    """The runner's wall time in ms and its result; the result is the only file it leaves in its folder."""
    out.parent.mkdir()
    start = time.monotonic()
    proc = subprocess.run([str(native_build / "tests" / "edgeocr-replay-runner"), "--bundle", str(bundle), "--images",
                           str(case["images"]), "--out", str(out), "--warmup", "0", "--repeats", "1", "--mode", "rec",
                           "--replay", str(case["recording"]), "--replay-delay-ms", str(DELAY_MS)],
                          capture_output=True, text=True, timeout=600)
    wall_ms = (time.monotonic() - start) * 1e3
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert [p.name for p in out.parent.iterdir()] == [out.name]  # the temporary file was renamed
    return wall_ms, validate_result(json.loads(out.read_text(encoding="utf-8")))


def test_init_ms_counts_model_loading_and_blank_runs_but_not_bundle_hashing(native_build, x86_bundle, replay_cases,
                                                                            tmp_path):
    case = replay_cases["rec"]
    big = Path(shutil.copytree(x86_bundle, tmp_path / "big_bundle"))
    with open(big / "extra.bin", "wb") as f:
        f.truncate(EXTRA_MIB << 20)
    rehash(big, "extra.bin")

    plain_wall, plain = run_timed(native_build, x86_bundle, case, tmp_path / "plain" / "r.json")
    big_wall, with_extra = run_timed(native_build, big, case, tmp_path / "big" / "r.json")

    for result in (plain, with_extra):  # creating the inference, then each blank run
        assert result["init_ms"] >= (1 + BLANK_RUNS) * DELAY_MS, result["init_ms"]
    hashing_ms = big_wall - plain_wall
    assert hashing_ms > 500  # the extra file really costs the run time, but not init_ms
    assert with_extra["init_ms"] - plain["init_ms"] < hashing_ms / 2, (plain["init_ms"], with_extra["init_ms"], hashing_ms)
