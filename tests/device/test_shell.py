"""Building remote scripts and reading results back: pure functions, no device needed."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from edgeocr.device.base import CPU_PROBES
from edgeocr.device.info import count_cpus, parse_max_freqs, parse_os_release
from edgeocr.device.shell import split_status, to_script, with_status


def run_sh(script: str) -> subprocess.CompletedProcess:
    return subprocess.run(["/bin/sh", "-c", script], capture_output=True)


def test_argv_items_are_quoted_one_by_one() -> None:
    script = to_script(["printf", "%s|", "a b", "$(echo no)", "it's", ";", "*"])
    assert run_sh(script).stdout == b"a b|$(echo no)|it's|;|*|"


def test_env_and_cwd_prefix() -> None:
    script = to_script("echo \"$A\"; pwd", env={"A": "x'y $z"}, cwd="/")
    assert run_sh(script).stdout == b"x'y $z\n/\n"
    with pytest.raises(ValueError, match="invalid environment variable name"):
        to_script("true", env={"A;rm": "x"})


def test_status_line_round_trip() -> None:
    proc = run_sh(with_status("echo out; printf 'no newline' >&2; exit 9"))
    assert proc.returncode == 0  # the wrapper itself succeeds: the status travels in the line
    assert split_status(proc.stdout, proc.stderr) == (9, b"out\n", b"no newline")
    legacy = b"out\r\nerr\r\n__edgeocr_exit_status=3\r\n"  # adb before shell v2: a pty, streams merged
    assert split_status(legacy, b"") == (3, b"out\nerr\n", b"")
    assert split_status(b"partial", b"") == (None, b"partial", b"")  # the link died


def test_cpu_and_os_parsers() -> None:
    assert count_cpus("0-7\n") == 8 and count_cpus("0-3,6") == 5 and count_cpus("0") == 1
    text = "\n".join(f"/sys/devices/system/cpu/cpu{i}/cpufreq/cpuinfo_max_freq {f}" for i, f in [(10, 3), (2, 2), (0, 1)])
    assert parse_max_freqs(text) == [1, 2, 3]  # by core number, not glob order
    assert parse_os_release('NAME="Ubuntu"\n# c\nPRETTY_NAME="Ubuntu 22.04.4 LTS"\n')["PRETTY_NAME"] == "Ubuntu 22.04.4 LTS"


def test_cpu_probes_read_a_big_little_sysfs(tmp_path: Path) -> None:
    """The probe snippets against a fake sysfs (this host may have no cpufreq at all)."""
    for cpu, khz in enumerate([1804800] * 4 + [2419200] * 3 + [2841600] + [0] * 3):
        freq = tmp_path / f"cpu{cpu}" / "cpufreq"
        freq.mkdir(parents=True)
        if khz:  # cores 8-10 have no cpufreq entry
            (freq / "cpuinfo_max_freq").write_text(f"{khz}\n")
    (tmp_path / "possible").write_text("0-10\n")
    out = {k: run_sh(v.replace("/sys/devices/system/cpu", str(tmp_path))).stdout.decode() for k, v in CPU_PROBES.items()}
    assert count_cpus(out["cpus"]) == 11
    assert parse_max_freqs(out["freqs"]) == [1804800] * 4 + [2419200] * 3 + [2841600]
