"""The deterministic ARM cost figure: the aarch64 replay runner run under qemu-user with the
instruction-counting plugin (targets/native/qemu_plugin/edgeocr_work.c), whose work markers
(core/include/edgeocr/work_marker.h) attribute every instruction to init, an image, a run and
a stage.

What is exact and what is not: two identical processes execute the very same instructions
in init, every run and every stage. The process total and an image's total also hold the
formatting of measured milliseconds (the runner's progress line, the result JSON), so they
move by a few thousand instructions in a billion. Within one process, runs of the same image
differ by up to about 1e-4: the allocator's state differs from run to run (free lists,
alignment), and with it the paths malloc and memcpy take."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from edgeocr.device.work_count import (
    WorkCountError,
    WorkCounts,
    build_work_plugin,
    counted_command,
    find_qemu_aarch64,
    plugin_api_dir,
    read_work_counts,
)
from edgeocr.runner.contract import validate_result
from tests.native.conftest import REPO, qemu_env
from tests.native.test_python_cpp_equivalence import assert_same_lines

SAME_PROCESS = 1e-3  # relative difference allowed between runs of one image (measured: up to 1.4e-4)
TIMING_KEYS = ("init_ms", "peak_rss_kb")
RUN_TIMING_KEYS = ("warmup_ms", "runs_ms")


@pytest.fixture(scope="module")
def work_plugin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    try:
        find_qemu_aarch64()
    except WorkCountError as e:
        pytest.skip(str(e))
    if not (plugin_api_dir() / "qemu-plugin.h").is_file():
        pytest.skip(f"no qemu-plugin.h in {plugin_api_dir()}: run targets/native/third_party/fetch_qemu_plugin_api.sh")
    return build_work_plugin(tmp_path_factory.mktemp("work_plugin"))


def repeated_recording(recording: Path, mode: str, runs: int, dest: Path) -> Path:
    """``recording`` (one run per image) with every image's model calls coming ``runs`` times in
    a row: what the replay runner needs for ``--warmup W --repeats R`` with W + R == runs. The
    blank inferences of init come first, one per model of the recording; then each image's
    calls start with det (rec alone: one rec call per line image)."""
    rec = json.loads((recording / "calls.json").read_text(encoding="utf-8"))
    blanks = len(rec["models"])
    first = "rec" if mode == "rec" else "det"
    images: list[list[dict]] = []
    for call in rec["calls"][blanks:]:
        if call["model"] == first:
            images.append([])
        images[-1].append(call)
    dest.mkdir()
    for tensor in recording.glob("*.f32"):
        (dest / tensor.name).symlink_to(tensor)
    calls = rec["calls"][:blanks] + [call for image in images for _ in range(runs) for call in image]
    (dest / "calls.json").write_text(json.dumps({**rec, "calls": calls}), encoding="utf-8")
    return dest


def count(cross_build: Path, plugin: Path, bundle: Path, case: dict, mode: str, out: Path, warmup: int = 0,
          repeats: int = 1, recording: Path | None = None) -> tuple[dict, WorkCounts]:
    """The replay runner's result and its instruction counts, both written into folder ``out``."""
    out.mkdir()
    runner = [str(cross_build / "tests" / "edgeocr-replay-runner"), "--bundle", str(bundle), "--images",
              str(case["images"]), "--out", str(out / "result.json"), "--warmup", str(warmup),
              "--repeats", str(repeats), "--mode", mode, "--replay", str(recording or case["recording"])]
    proc = subprocess.run(counted_command(runner, plugin, out / "counts.json"), capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return validate_result(json.loads((out / "result.json").read_text(encoding="utf-8"))), \
        read_work_counts(out / "counts.json")


def close(a: float, b: float, rel: float) -> bool:
    return abs(a - b) <= rel * max(abs(a), abs(b))


def test_identical_runs_execute_identical_instructions(cross_build, work_plugin, x86_bundle, replay_cases, tmp_path):
    case = replay_cases["det_cls_rec"]
    # Folders of one length: the paths are the runner's input, and strings cost by length.
    _, a = count(cross_build, work_plugin, x86_bundle, case, "det_cls_rec", tmp_path / "a")
    _, b = count(cross_build, work_plugin, x86_bundle, case, "det_cls_rec", tmp_path / "b")
    assert a["vcpus"] == 1
    assert a["init"] == b["init"] > 0
    assert [(i["warmup"], i["runs"]) for i in a["images"]] == [(i["warmup"], i["runs"]) for i in b["images"]]
    assert a["stages"] == b["stages"]
    # The measured milliseconds formatted differ (measured: up to 1.5e-5 of the total).
    assert close(a["total"], b["total"], 1e-4)
    assert all(close(i["total"], j["total"], 1e-4) for i, j in zip(a["images"], b["images"]))


def test_stage_counts_add_up_to_the_total(cross_build, work_plugin, x86_bundle, replay_cases, tmp_path):
    _, counts = count(cross_build, work_plugin, x86_bundle, replay_cases["det_cls_rec"], "det_cls_rec",
                      tmp_path / "run", warmup=1, recording=repeated_recording(
                          replay_cases["det_cls_rec"]["recording"], "det_cls_rec", 2, tmp_path / "rec"))
    raw = json.loads((tmp_path / "run" / "counts.json").read_text(encoding="utf-8"))
    in_stages = sum(n for image in raw["images"] for run in image["warmup"] + image["runs"]
                    for n in run["stages"].values())
    assert counts["init"] + in_stages + counts["unattributed"] == raw["total"] == counts["total"]
    assert counts["unattributed"] > 0  # process start, hashing the bundle, decoding, the result file
    assert sum(s["total"] + s["warmup"] for s in counts["stages"].values()) == in_stages
    for image in counts["images"]:
        runs = image["warmup"] + image["runs"]
        assert sum(run["total"] for run in runs) <= image["total"]
        assert all(sum(run["stages"].values()) <= run["total"] for run in runs)


@pytest.mark.parametrize("mode, stages", [("det_cls_rec", ["det_pre", "det_infer", "det_post", "cls", "rec"]),
                                          ("det_rec", ["det_pre", "det_infer", "det_post", "rec"]),
                                          ("rec", ["rec"])])
def test_each_stage_is_counted_and_runs_of_an_image_agree(cross_build, work_plugin, x86_bundle, replay_cases, mode,
                                                          stages, tmp_path):
    case = replay_cases[mode]
    result, counts = count(cross_build, work_plugin, x86_bundle, case, mode, tmp_path / "run", warmup=1, repeats=2,
                           recording=repeated_recording(case["recording"], mode, 3, tmp_path / "rec"))
    assert list(counts["stages"]) == stages  # the stages the result's runs_ms reports, in pipeline order
    assert [i["image"] for i in counts["images"]] == list(range(len(result["images"])))
    for entry, image in zip(result["images"], counts["images"]):
        assert len(image["warmup"]) == 1 and len(image["runs"]) == 2
        first, second = image["runs"]
        for name in stages:
            assert close(first["stages"][name], second["stages"][name], SAME_PROCESS), (entry["image"], name)
        if entry["lines"]:  # the replay runs no network, but everything around it is real work
            assert all(image["runs"][0]["stages"][name] > 10_000 for name in stages), entry["image"]
        else:  # the blank page: no line to classify or recognise
            assert first["stages"]["rec"] < 1_000 and first["stages"]["det_post"] < first["stages"]["det_pre"]
    per_image = counts["stages"]["rec"]["per_image"]
    assert len(per_image) == len(result["images"]) and counts["stages"]["rec"]["median"] > 0


def test_twice_the_repeats_twice_the_timed_work(cross_build, work_plugin, x86_bundle, replay_cases, tmp_path):
    mode, case = "det_rec", replay_cases["det_rec"]
    counts = {}
    for repeats in (1, 2):
        recording = repeated_recording(case["recording"], mode, 1 + repeats, tmp_path / f"rec{repeats}")
        _, counts[repeats] = count(cross_build, work_plugin, x86_bundle, case, mode, tmp_path / f"run{repeats}",
                                   warmup=1, repeats=repeats, recording=recording)
    for name, once in counts[1]["stages"].items():
        twice = counts[2]["stages"][name]
        assert close(twice["total"], 2 * once["total"], SAME_PROCESS), name
        assert close(twice["warmup"], once["warmup"], SAME_PROCESS), name  # warm-up kept apart
        assert close(twice["median"], once["median"], SAME_PROCESS), name


def test_counting_leaves_the_runners_result_unchanged(cross_build, work_plugin, x86_bundle, replay_cases, tmp_path):
    """The markers are harmless syscalls and the plugin only watches: the counted runner reports
    what the plain qemu run and the Python runner report."""
    mode, case = "det_cls_rec", replay_cases["det_cls_rec"]
    counted, _ = count(cross_build, work_plugin, x86_bundle, case, mode, tmp_path / "run")
    result = tmp_path / "run" / "result.json"
    result.unlink()  # the plain run writes the same path, so options.out is equal too
    proc = subprocess.run(["qemu-aarch64-static", str(cross_build / "tests" / "edgeocr-replay-runner"), "--bundle",
                           str(x86_bundle), "--images", str(case["images"]), "--out", str(result), "--warmup", "0",
                           "--repeats", "1", "--mode", mode, "--replay", str(case["recording"])],
                          capture_output=True, text=True, timeout=600, env=qemu_env())
    assert proc.returncode == 0, proc.stdout + proc.stderr
    plain = validate_result(json.loads(result.read_text(encoding="utf-8")))

    def untimed(report: dict) -> dict:
        images = [{k: v for k, v in e.items() if k not in RUN_TIMING_KEYS} for e in report["images"]]
        return {**{k: v for k, v in report.items() if k not in TIMING_KEYS}, "images": images}

    assert untimed(counted) == untimed(plain)
    assert assert_same_lines(case["python"], counted) >= 15


MARKED_PROGRAM = r"""
#include "edgeocr/work_marker.h"
using namespace edgeocr;
volatile unsigned long sink;
static void work(int n) { for (int i = 0; i < n; ++i) sink = sink + i; }
int main(int argc, char**) {
  work_begin(EDGEOCR_WORK_INIT, 0); work(1000); work_end(EDGEOCR_WORK_INIT, 0);
  work_begin(EDGEOCR_WORK_IMAGE, 4);
  for (int r = 0; r < 3; ++r) {
    work_begin(EDGEOCR_WORK_RUN, r);
    stage_begin(EDGEOCR_WORK_DET_PRE); work(1000 * (r + 1)); stage_end(EDGEOCR_WORK_DET_PRE);
    stage_begin(EDGEOCR_WORK_REC); work(500); stage_end(EDGEOCR_WORK_REC);
    work_end(EDGEOCR_WORK_RUN, r);
  }
  work_end(EDGEOCR_WORK_IMAGE, 4);
  if (argc > 1) {  // then markers out of order
    stage_begin(EDGEOCR_WORK_CLS);  // outside any run
    work_end(EDGEOCR_WORK_IMAGE, 9);  // never begun
    work_begin(EDGEOCR_WORK_IMAGE, 5);  // never ended
    work_begin(EDGEOCR_WORK_RUN, 7); stage_begin(EDGEOCR_WORK_REC); work_end(EDGEOCR_WORK_RUN, 7);
  }
  return 0;
}
"""


@pytest.fixture(scope="module")
def marked_program(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small aarch64 program that marks one image with three runs of growing det_pre work
    (and, given an argument, then markers out of order)."""
    folder = tmp_path_factory.mktemp("marked")
    (folder / "marked.cpp").write_text(MARKED_PROGRAM, encoding="utf-8")
    native = REPO / "targets" / "native" / "core"
    subprocess.run(["aarch64-linux-gnu-g++", "-O2", "-std=c++17", f"-I{native / 'include'}", str(folder / "marked.cpp"),
                    str(native / "src" / "work_marker.cpp"), "-o", str(folder / "marked")], check=True, timeout=300)
    return folder / "marked"


def test_plugin_counts_work_exactly(work_plugin, marked_program, tmp_path):
    proc = subprocess.run(counted_command([str(marked_program)], work_plugin, tmp_path / "counts.json"), timeout=120)
    assert proc.returncode == 0
    counts = read_work_counts(tmp_path / "counts.json")
    (image,) = counts["images"]
    assert image["image"] == 4 and image["warmup"] == [] and len(image["runs"]) == 3
    det_pre = [run["stages"]["det_pre"] for run in image["runs"]]
    assert det_pre[1] - det_pre[0] == det_pre[2] - det_pre[1] > 1000  # each 1000 iterations cost the same
    assert len({run["stages"]["rec"] for run in image["runs"]}) == 1  # the same loop, the same count
    assert counts["init"] > 1000 and counts["total"] > image["total"] + counts["init"]


def test_plugin_reports_markers_out_of_order(work_plugin, marked_program, tmp_path):
    proc = subprocess.run(counted_command([str(marked_program), "broken"], work_plugin, tmp_path / "counts.json"),
                          timeout=120)
    assert proc.returncode == 0
    errors = json.loads((tmp_path / "counts.json").read_text(encoding="utf-8"))["errors"]
    assert errors == ["cls begin outside a run", "image 9 end without its begin", "run 7 end with rec begin still open",
                      "image 5 begin never ended", "rec begin never ended"]
    with pytest.raises(WorkCountError, match="work markers were not sound: cls begin outside a run; image 9"):
        read_work_counts(tmp_path / "counts.json")
