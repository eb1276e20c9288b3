"""edgeocr.device.work_count on its own: reading and checking the plugin's counts, the
qemu command line, building the plugin. Running the runner under it is tests/native/test_instruction_counts.py."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from edgeocr.device.work_count import (
    SCHEMA,
    WorkCountError,
    build_work_plugin,
    counted_command,
    plugin_api_dir,
    read_work_counts,
)


def run(total: int, **stages: int) -> dict:
    return {"total": total, "stages": stages}


def counts_file(tmp_path: Path, **changes) -> Path:
    """Two images; image 0: one warm-up and two timed runs, image 1: one timed run."""
    raw = {"schema": SCHEMA, "unit": "guest instructions", "vcpus": 1, "total": 10_000, "init": 1_000,
           "images": [{"image": 0, "total": 4_000, "warmup": [run(1_200, det_pre=100, rec=1_000)],
                       "runs": [run(1_100, det_pre=90, rec=900), run(1_100, det_pre=90, rec=902)]},
                      {"image": 1, "total": 2_000, "warmup": [], "runs": [run(1_500, det_pre=300, rec=1_100)]}],
           "errors": [], **changes}
    path = tmp_path / "counts.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    return path


def test_read_work_counts_summarises_each_stage_over_timed_runs(tmp_path):
    counts = read_work_counts(counts_file(tmp_path))
    assert (counts["total"], counts["init"], counts["vcpus"]) == (10_000, 1_000, 1)
    assert counts["stages"] == {
        "det_pre": {"per_image": [90.0, 300.0], "median": 195.0, "total": 480, "warmup": 100},
        "rec": {"per_image": [901.0, 1_100.0], "median": 1_000.5, "total": 2_902, "warmup": 1_000},
    }
    assert counts["unattributed"] == 10_000 - 1_000 - (480 + 100 + 2_902 + 1_000)
    assert counts["images"][0]["runs"][1] == {"total": 1_100, "stages": {"det_pre": 90, "rec": 902}}


@pytest.mark.parametrize("changes, message", [
    ({"errors": ["rec begin never ended"]}, "markers were not sound: rec begin never ended"),
    ({"schema": "other/1"}, "not edgeocr-work-count/1 counts"),
    ({"total": 6_999}, "init and the images count more than the total"),
    ({"init": -1}, "init: -1 is not a count"),
    ({"vcpus": True}, "vcpus: True is not a count"),
    ({"images": [{"image": 0, "total": 100, "warmup": [], "runs": [run(50, rec=60)]}]},
     "stages count more than the run"),
    ({"images": [{"image": 0, "total": 100, "warmup": [run(60, rec=1)], "runs": [run(50, rec=1)]}]},
     r"images\[0\]: its runs count more than the image"),
    ({"images": [{"image": 0, "total": 100, "warmup": [], "runs": []}]}, "no timed run"),
    ({"images": [{"image": 0, "total": 100, "warmup": [run(9, det_pre=1, rec=1)], "runs": [run(9, rec=1)]}]},
     "did not all mark the same stages"),
])
def test_read_work_counts_refuses_unsound_counts(tmp_path, changes, message):
    with pytest.raises(WorkCountError, match=message):
        read_work_counts(counts_file(tmp_path, **changes))


def test_read_work_counts_without_a_file_says_why(tmp_path):
    with pytest.raises(WorkCountError, match="only when the program exits normally"):
        read_work_counts(tmp_path / "counts.json")
    (tmp_path / "counts.json").write_text("{", encoding="utf-8")
    with pytest.raises(WorkCountError, match="unreadable counts"):
        read_work_counts(tmp_path / "counts.json")


def fake_qemu(folder: Path, name: str, help_text: str) -> Path:
    folder.mkdir(exist_ok=True)
    script = folder / name
    script.write_text(f"#!/bin/sh\necho '{help_text}'\n", encoding="utf-8")
    script.chmod(0o755)
    return script


def test_counted_command_runs_the_program_under_the_plugin(tmp_path, monkeypatch):
    qemu = fake_qemu(tmp_path / "bin", "qemu-aarch64", "-plugin              QEMU_PLUGIN       [file=]<file>")
    monkeypatch.setenv("PATH", str(qemu.parent))
    monkeypatch.chdir(tmp_path)
    cmd = counted_command(["./runner", "--mode", "rec"], "a,b/edgeocr_work.so", "counts.json", sysroot="/sysroot")
    # absolute paths, commas doubled for qemu's option parser
    assert cmd == [str(qemu), "-L", "/sysroot", "-plugin",
                   f"{tmp_path}/a,,b/edgeocr_work.so,out={tmp_path}/counts.json", "./runner", "--mode", "rec"]


def test_counted_command_refuses_a_qemu_without_plugins(tmp_path, monkeypatch):
    fake_qemu(tmp_path / "bin", "qemu-aarch64-static", "usage: qemu-aarch64 [options] program [arguments...]")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    with pytest.raises(WorkCountError, match=r"qemu-aarch64-static cannot load plugins .*apt-get install qemu-user"):
        counted_command(["./runner"], "p.so", "c.json")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(WorkCountError, match="no qemu-aarch64 on PATH: apt-get install qemu-user"):
        counted_command(["./runner"], "p.so", "c.json")


def test_build_work_plugin_without_the_header_names_the_fetch_script(tmp_path):
    with pytest.raises(WorkCountError, match=r"qemu-plugin.h is not in .*fetch_qemu_plugin_api.sh"):
        build_work_plugin(tmp_path / "out", api_dir=tmp_path / "nothing")


@pytest.mark.skipif(not (plugin_api_dir() / "qemu-plugin.h").is_file() or shutil.which("gcc") is None,
                    reason="needs gcc and QEMU's plugin header (targets/native/third_party/fetch_qemu_plugin_api.sh)")
def test_build_work_plugin_compiles_once_per_source(tmp_path):
    plugin = build_work_plugin(tmp_path / "out")
    assert plugin.read_bytes()[:4] == b"\x7fELF"
    built = plugin.stat().st_mtime_ns
    assert build_work_plugin(tmp_path / "out") == plugin and plugin.stat().st_mtime_ns == built  # cached
    api = tmp_path / "api"
    api.mkdir()
    header = (plugin_api_dir() / "qemu-plugin.h").read_text(encoding="utf-8")
    (api / "qemu-plugin.h").write_text(header + "\n/* changed */\n", encoding="utf-8")
    os.utime(plugin, ns=(built - 10**9, built - 10**9))
    assert build_work_plugin(tmp_path / "out", api_dir=api) == plugin
    assert plugin.stat().st_mtime_ns != built - 10**9  # a changed input: rebuilt
