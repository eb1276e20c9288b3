"""``edgeocr report`` and the bench output files, on result files made by hand: the ratios
are checked to the digit, and every promised file is written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from edgeocr.bench.report import config_rows, load_result, with_ratios, write_bench_outputs
from edgeocr.bench.stats import stage_samples, stage_stats
from edgeocr.cli.main import cli
from edgeocr.errors import InputError
from edgeocr.runner.contract import STAGES
from tests.runner.samples import entry

PNG = b"\x89PNG\r\n\x1a\n"


def make_result(label: str, size_mb: float, totals: list[float], hmean: float, rss_mb: float,
                transport: str = "adb") -> dict:
    images = [entry("00000_a.jpg", [], totals)]
    config = {
        "name": "threads=4 power_mode=high", "threads": 4, "power_mode": "high",
        "applied": {"threads": True, "power_mode": True}, "notes": [], "init_ms": 80.0, "peak_rss_kb": rss_mb * 1024,
        "consistent": True, "latency_ms": stage_stats(images, STAGES["det_cls_rec"]),
        "total_ms_samples": stage_samples(images, "total"),
        "accuracy": {"headline": "e2e_hmean", "metrics": {"e2e_hmean": hmean}},
        "parity": {"text_agreement": 1.0, "box_agreement": 1.0}, "temp_c_before": 41.0,
        "runner_command": "LD_LIBRARY_PATH=/w/lib /w/runner/edgeocr-runner --bundle /w/bundle ...", "raw": "raw/x.json",
    }
    return {
        "format": "edgeocr-bench/1", "status": "complete", "error": None,
        "stamp": {
            "date": "2024-05-01T10:00:00+00:00", "command": "edgeocr bench --serial P1", "edgeocr_version": "0.1.0",
            "device": {"name": "P1", "serial": "P1", "transport": transport, "model": "Pixel", "abi": "arm64-v8a",
                       "os": "android 13", "cpu_cores": 8},
            "latency_source": "the device, driven over adb",
            "payload": {"kind": "bundle", "path": f"/bundles/{label}", "label": label, "size_bytes": size_mb * 2**20,
                        "tasks": {}},
            "runner": {"kind": "native", "backend": "lite"}, "runtime_version": "v2.13-rc",
            "data": {"source": "labels.txt", "labels": "det", "images": 1, "mode": "det_cls_rec"},
            "options": {"threads": [4], "power_modes": ["high"], "warmup": 10, "repeats": len(totals),
                        "cooldown_s": 30.0, "timeout_s": 3600.0},
            "host_reference": {"backend": "paddle", "runtime_version": "paddle-inference 2.6.2"},
        },
        "configs": [config],
    }


@pytest.fixture
def runs(tmp_path: Path) -> list[Path]:
    paths = []
    for name, result in [("float", make_result("float", 11.0, [200.0, 210.0, 220.0], 0.80, 60.0)),
                         ("pact", make_result("int8", 4.4, [100.0, 105.0, 110.0], 0.78, 45.0)),
                         ("pruned", make_result("pruned+int8", 3.3, [80.0, 84.0, 88.0], 0.75, 40.0))]:
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(result))
        paths.append(path)
    return paths


def test_ratios_against_the_baseline(runs: list[Path]) -> None:
    rows = with_ratios([row for p in runs for row in config_rows(load_result(p))])
    assert [r["models"] for r in rows] == ["float", "int8", "pruned+int8"]
    assert [r["speedup"] for r in rows] == [1.0, 2.0, 2.5]
    assert [round(r["size_x"], 3) for r in rows] == [1.0, 0.4, 0.3]
    assert [round(r["accuracy_delta"], 3) for r in rows] == [0.0, -0.02, -0.05]
    assert rows[2]["rss_x"] == pytest.approx(40 / 60)
    pivot = with_ratios(rows, baseline=1)
    assert pivot[0]["speedup"] == 0.5
    with pytest.raises(InputError, match="baseline row 4 does not exist"):
        with_ratios(rows, baseline=3)


def test_rows_measured_unlike_the_baseline_say_so(tmp_path: Path) -> None:
    phone = make_result("float", 11.0, [200.0, 210.0, 220.0], 0.80, 60.0)
    host = make_result("float", 11.0, [50.0, 50.0, 50.0, 50.0], 0.80, 60.0, transport="local")
    host["stamp"]["options"]["warmup"] = 2
    host["configs"][0]["applied"] = {"threads": False, "power_mode": False}
    rows = with_ratios([*config_rows(phone), *config_rows(host)])
    assert [(r["warmup"], r["repeats"], r["transport"]) for r in rows] == [(10, 3, "adb"), (2, 4, "local")]
    assert rows[0]["measured_unlike"] is None
    assert rows[1]["measured_unlike"] == ("transport local vs adb; warmup 2 vs 10; repeats 4 vs 3; "
                                          "applied none vs threads,power_mode")
    assert rows[1]["speedup"] == 4.2  # given, but never without the note
    for i, result in enumerate((phone, host)):
        (tmp_path / f"r{i}.json").write_text(json.dumps(result))
    res = CliRunner().invoke(cli, ["report", str(tmp_path / "r0.json"), str(tmp_path / "r1.json"),
                                   "--out", str(tmp_path / "cmp")])
    assert res.exit_code == 0 and "rows 2 were measured unlike row 1" in res.output
    assert "Rows 2 were measured unlike the baseline" in (tmp_path / "cmp" / "report.md").read_text()


def test_report_command_prints_and_writes(runs: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "cmp"
    res = CliRunner().invoke(cli, ["report", *map(str, runs), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "| pruned+int8 |" in res.output and "| 2.50 " in res.output  # speed-up, rounded for reading
    saved = json.loads((out / "report.json").read_text())
    assert [r["speedup"] for r in saved["rows"]] == [1.0, 2.0, 2.5]
    assert (out / "report.csv").read_text().splitlines()[0].startswith("device,transport,models")
    for png in ("latency.png", "latency-vs-accuracy.png"):
        assert (out / png).read_bytes().startswith(PNG)
    assert "latency-vs-accuracy.png" in (out / "report.md").read_text()


def test_report_refuses_what_is_not_a_bench_result(tmp_path: Path) -> None:
    (tmp_path / "x.json").write_text('{"format": "something else"}')
    res = CliRunner().invoke(cli, ["report", str(tmp_path / "x.json")])
    assert res.exit_code != 0 and "not an edgeocr bench result" in str(res.exception)


def test_bench_outputs(runs: list[Path], tmp_path: Path) -> None:
    results = [(p, load_result(p)) for p in runs[:2]]
    rows = write_bench_outputs(tmp_path / "out", results)
    assert len(rows) == 2
    csv_header = (tmp_path / "out" / "summary.csv").read_text().splitlines()[0].split(",")
    assert {"total_p99_ms", "det_infer_std_ms", "rec_per_line_n", "e2e_hmean", "parity_text_agreement"} <= set(csv_header)
    report = (tmp_path / "out" / "report.md").read_text()
    assert "edgeocr bench --serial P1" in report and "driven over adb" in report and "| p99_ms" in report
    assert (tmp_path / "out" / "plots" / "float-latency.png").read_bytes().startswith(PNG)
