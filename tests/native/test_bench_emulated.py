"""``bench`` on the emulated arm64 board with instruction counts, end to end and in CI: the
native runner (its aarch64 build over recorded model outputs: no Paddle-Lite here) is deployed
into the board's Debian arm64 user space, run under the counting qemu, and the report has the
ARM work per image and per stage — measured, and labelled emulated."""

from __future__ import annotations

import json
from pathlib import Path

from edgeocr import bench
from edgeocr.bench.dataset import load_dataset
from edgeocr.bundle import Bundle
from edgeocr.device.sync import push_folder
from edgeocr.runner.deploy import DeployRequest
from edgeocr.runner.payload import Payload
from tests.device.test_deploy import fake_native
from tests.native.test_instruction_counts import work_plugin  # noqa: F401  (the plugin fixture)

PNG = b"\x89PNG\r\n\x1a\n"


def test_bench_on_the_emulated_board_counts_arm_work(emulated, cross_build, work_plugin, armlinux_bundle,  # noqa: F811
                                                     replay_cases, tmp_path) -> None:
    case = replay_cases["det_cls_rec"]
    recording = Path(case["recording"])
    push_folder(emulated, emulated.workdir, "replay", {p.name: p for p in recording.iterdir()}, lambda _: None)
    _, libs = fake_native(tmp_path / "fake lib")  # a library with the version tag deploy checks
    request = DeployRequest(Payload.of_bundle(Bundle.load(armlinux_bundle)),
                            cross_build / "tests" / "edgeocr-replay-runner", (libs,))
    run = bench.run(request, [emulated], load_dataset(images=Path(case["images"])), tmp_path / "out", threads=(1,),
                    warmup=0, repeats=1, cooldown_s=0, skip_parity="replay", count_work=None)
    [device] = run.devices
    assert device.error is None, device.error
    config = device.result["configs"][0]
    work = config["work"]
    assert work["comparable"] and work["vcpus"] == 1 and work["per_image_median"] > 0
    assert set(work["stages"]) == {"det_pre", "det_infer", "det_post", "cls", "rec"}
    assert [p["image"] for p in work["images"]] == sorted(load_dataset(images=Path(case["images"])).files)
    assert all(p["run"] >= sum(p["stages"].values()) for p in work["images"])
    assert "emulated" in device.result["stamp"]["latency_source"]
    assert run.rows[0]["work_minsn"] == work["per_image_median"] / 1e6
    csv = (run.out / "summary.csv").read_text().splitlines()[0].split(",")
    assert {"work_per_image_insn", "work_det_infer_insn", "work_vcpus"} <= set(csv)
    assert "instructions_per_image" in (run.out / "report.md").read_text()
    assert (run.out / "plots" / "work-per-stage.png").read_bytes().startswith(PNG)
    counts = json.loads((run.out / "raw" / "qemu-arm64" / "t1-high.work.json").read_text())
    assert counts["schema"] == "edgeocr-work-count/1" and counts["errors"] == []
