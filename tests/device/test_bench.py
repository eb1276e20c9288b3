"""``edgeocr bench`` end to end through the CLI: an x86_64 float bundle and the Python runner
on a fake phone (real adb client), a loopback board (real ssh) and this host; several devices
at once; and the failures a real lab sees — a phone unplugged mid-sweep, a runner that exits
non-zero — leaving the results gathered so far and naming the configuration that failed."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path

import cv2
import pytest
from click.testing import CliRunner, Result

from edgeocr.bench.sweep import BenchFailed
from edgeocr.cli.main import cli
from edgeocr.runner.contract import STAGES, validate_result
from tests.conftest import render_page
from tests.device.conftest import NASTY, X86_PROPS, Sshd
from tests.device.test_deploy import fake_native
from tests.ocr.conftest import PAGE_LINES

PNG = b"\x89PNG\r\n\x1a\n"
QUICK = ["--warmup", "0", "--repeats", "1", "--cooldown", "0"]


def bench(*args: str) -> Result:
    return CliRunner().invoke(cli, ["bench", "--python", sys.executable, *args])


def result_of(out: Path, name: str) -> dict:
    return json.loads((out / f"{name}.json").read_text())


@pytest.fixture(scope="module")
def one_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("one page")
    cv2.imwrite(str(folder / "page.png"), render_page(PAGE_LINES, size=(480, 260)))
    return folder


def test_adb_bench_end_to_end(x86_phone, x86_bundle: Path, bench_labels: Path, tmp_path: Path) -> None:
    out, workdir = tmp_path / "out", str(tmp_path / NASTY)
    res = bench("--serial", x86_phone.serial, "--bundle", str(x86_bundle), "--data", str(bench_labels),
                "--threads", "1,2", "--warmup", "1", "--repeats", "2", "--cooldown", "0.2", "--workdir", workdir,
                "--out", str(out))
    assert res.exit_code == 0, f"{res.output}\n{res.exception!r}"
    name = x86_phone.serial.replace(":", "_")
    result = result_of(out, name)
    assert result["status"] == "complete" and result["error"] is None
    stamp = result["stamp"]
    assert stamp["device"]["transport"] == "adb" and stamp["device"]["model"] == "EdgeOCR Fake Phone"
    assert stamp["device"]["abi"] == "x86_64" and stamp["runtime_version"] == "v2.13-rc"
    assert stamp["payload"]["manifest"]["target"]["name"] == "x86_64" and stamp["payload"]["label"] == "float"
    assert "--serial" in stamp["command"] and stamp["date"] and stamp["latency_source"].endswith("over adb")
    assert stamp["host_reference"]["accuracy"]["metrics"]["e2e_hmean"] > 0.5
    assert [c["threads"] for c in result["configs"]] == [1, 2]
    for config in result["configs"]:
        assert set(config["latency_ms"]) == set(STAGES["det_cls_rec"])
        assert config["latency_ms"]["total"]["n"] == 4 == len(config["total_ms_samples"])
        assert config["init_ms"] > 0 and config["peak_rss_kb"] > 50_000 and config["consistent"]
        assert config["accuracy"]["metrics"]["e2e_hmean"] > 0.5 and config["accuracy"]["metrics"]["det_hmean"] > 0.5
        assert config["parity"]["text_agreement"] == 1.0 and config["parity"]["box_agreement"] == 1.0
        assert f"{workdir}/bundle" in shlex.split(config["runner_command"])  # quoted, not pasted
        validate_result(json.loads((out / config["raw"]).read_text()))
    report = (out / "report.md").read_text()
    assert "driven over adb" in report and "not applied" in report
    assert (out / "summary.csv").read_text().count("\n") == 3
    assert (out / "plots" / f"{name}-latency.png").read_bytes().startswith(PNG)
    assert (out / "plots" / "latency-vs-accuracy.png").read_bytes().startswith(PNG)
    assert not list(tmp_path.rglob("PWNED*"))

    again = CliRunner().invoke(cli, ["deploy", "--serial", x86_phone.serial, "--bundle", str(x86_bundle),
                                     "--python", sys.executable, "--workdir", workdir, "--json", str(tmp_path / "d.json")])
    assert again.exit_code == 0, again.output
    files = json.loads((tmp_path / "d.json").read_text())["files"]  # the runner changes whenever edgeocr's sources do
    assert {a for f, a in files.items() if f.startswith("bundle/")} == {"unchanged"} and len(files) == 8
    compared = CliRunner().invoke(cli, ["report", str(out / f"{name}.json")])
    assert compared.exit_code == 0 and "| 1.00 " in compared.output, compared.output


def test_ssh_board_from_the_devices_file(sshd: Sshd, x86_bundle: Path, one_page: Path, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    devices = tmp_path / "devices.yml"
    devices.write_text(f"boards:\n  - name: board\n    host: 127.0.0.1\n    port: {sshd.port}\n    user: {sshd.user}\n"
                       f"    identity: {sshd.client_key}\n    known_hosts: {sshd.known_hosts}\n"
                       f"    strict_host_key_checking: 'yes'\n    workdir: {tmp_path / 'board work'}\n")
    monkeypatch.setenv("EDGEOCR_DEVICES", str(devices))
    out = tmp_path / "out"
    res = bench("--ssh", "board", "--bundle", str(x86_bundle), "--images", str(one_page), "--threads", "1",
                "--no-parity", *QUICK, "--out", str(out))
    assert res.exit_code == 0, f"{res.output}\n{res.exception!r}"
    result = result_of(out, "board")
    assert result["stamp"]["device"]["transport"] == "ssh" and result["status"] == "complete"
    assert result["configs"][0]["accuracy"] is None and result["configs"][0]["parity"] == {"skipped": "--no-parity"}
    assert (tmp_path / "board work" / "deploy.json").is_file()


def test_local_latency_is_called_host_latency(x86_bundle: Path, one_page: Path, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # the default --out is relative
    res = bench("--local", "--bundle", str(x86_bundle), "--images", str(one_page), "--threads", "1", "--no-parity",
                *QUICK, "--workdir", str(tmp_path / "host work"))
    assert res.exit_code == 0, f"{res.output}\n{res.exception!r}"
    [out] = (tmp_path / "out" / "bench").iterdir()
    assert result_of(out, "local")["stamp"]["device"]["transport"] == "local"
    assert "host latency, not a phone's" in (out / "report.md").read_text()


def test_several_devices_in_parallel(make_phone, x86_bundle: Path, one_page: Path, tmp_path: Path) -> None:
    phones = [make_phone(props=X86_PROPS) for _ in range(2)]
    out = tmp_path / "out"
    res = bench(*[a for p in phones for a in ("--serial", p.serial)], "--bundle", str(x86_bundle), "--images",
                str(one_page), "--threads", "1", "--no-parity", *QUICK, "--workdir", str(tmp_path / "{device}"),
                "--out", str(out))
    assert res.exit_code == 0, f"{res.output}\n{res.exception!r}"
    for phone in phones:
        name = phone.serial.replace(":", "_")
        assert result_of(out, name)["status"] == "complete"
        assert (tmp_path / name / "deploy.json").is_file()
    assert (out / "summary.csv").read_text().count("\n") == 3


def test_a_phone_unplugged_mid_sweep_keeps_what_was_measured(x86_phone, x86_bundle, one_page, tmp_path) -> None:
    x86_phone.vanish_on = "--threads 2"  # the second configuration's runner command
    out = tmp_path / "out"
    res = bench("--serial", x86_phone.serial, "--bundle", str(x86_bundle), "--images", str(one_page),
                "--threads", "1,2", "--no-parity", *QUICK, "--workdir", str(tmp_path / "w"), "--out", str(out))
    assert res.exit_code != 0 and isinstance(res.exception, BenchFailed)
    message = str(res.exception)
    assert "configuration threads=2 power_mode=high (2 of 2) failed" in message
    assert "results of 1 completed configuration(s) saved to" in message
    result = result_of(out, x86_phone.serial.replace(":", "_"))
    assert result["status"] == "failed" and [c["threads"] for c in result["configs"]] == [1]
    assert result["error"]["config"] == "threads=2 power_mode=high"
    assert "| 1 " in (out / "report.md").read_text()


def test_a_runner_exiting_non_zero_is_reported_with_its_error(phone, arm_bundle, one_page, tmp_path) -> None:
    runner, libs = fake_native(tmp_path / "native")
    out = tmp_path / "out"
    res = bench("--serial", phone.serial, "--bundle", str(arm_bundle), "--runner-bin", str(runner), "--runtime-lib",
                str(libs), "--images", str(one_page), "--threads", "4", "--no-parity", *QUICK,
                "--workdir", str(tmp_path / "w"), "--out", str(out))
    assert isinstance(res.exception, BenchFailed), res.output
    assert ("configuration threads=4 power_mode=high (1 of 1) failed: 127.0.0.1" in str(res.exception)
            and "runner exited with 4: model: det.nb: cannot load" in str(res.exception))
    assert result_of(out, phone.serial.replace(":", "_"))["status"] == "failed"


def test_a_device_that_cannot_take_the_bundle_fails_at_deploy(phone, x86_bundle, one_page, tmp_path) -> None:
    out = tmp_path / "out"
    res = bench("--serial", phone.serial, "--bundle", str(x86_bundle), "--images", str(one_page), "--no-parity",
                *QUICK, "--workdir", str(tmp_path / "w"), "--out", str(out))
    assert isinstance(res.exception, BenchFailed), res.output
    assert "deploy failed" in str(res.exception) and "is for target x86_64" in str(res.exception)
    result = result_of(out, phone.serial.replace(":", "_"))
    assert (result["status"], result["configs"], result["error"]["config"]) == ("failed", [], None)
    assert "Failed** at deploy" in (out / "report.md").read_text()


def _library_run(devices, x86_bundle: Path, one_page: Path, out: Path, threads=(1,)):
    """``edgeocr.bench.run`` itself, as the CLI and benchmarks/ call it."""
    from edgeocr import bench as bench_lib
    from edgeocr.bench.dataset import load_dataset
    from edgeocr.bundle import Bundle
    from edgeocr.runner.deploy import DeployRequest
    from edgeocr.runner.payload import Payload

    request = DeployRequest(Payload.of_bundle(Bundle.load(x86_bundle)), python=sys.executable, workdir=str(out / "{device}"))
    return bench_lib.run(request, devices, load_dataset(images=one_page), out / "results", threads=threads, warmup=0,
                         repeats=1, cooldown_s=0, skip_parity="test")


def test_a_host_error_on_one_device_keeps_the_others(make_phone, x86_bundle, one_page, tmp_path, monkeypatch) -> None:
    """A bug of this host's code while summarising one device's run marks that device's file
    failed (partial) and names the error; the other device's results are complete."""
    from edgeocr.bench import sweep
    from edgeocr.device import AdbDevice

    phones = [AdbDevice(make_phone(props=X86_PROPS).serial) for _ in range(2)]
    real = sweep.summarize_run

    def broken_for_the_second(raw, config, plan, source):
        if source.startswith(phones[1].name):
            raise ZeroDivisionError("a bug in the summary")
        return real(raw, config, plan, source)

    monkeypatch.setattr(sweep, "summarize_run", broken_for_the_second)
    result = _library_run(phones, x86_bundle, one_page, tmp_path)
    good, bad = result.devices
    assert good.error is None and good.result["status"] == "complete" and good.result["partial"] is False
    assert bad.result["status"] == "failed" and bad.result["partial"] is True and bad.result["configs"] == []
    assert "ZeroDivisionError: a bug in the summary" in str(bad.error)
    assert len(result.rows) == 1 and (result.out / "report.md").is_file()
    with pytest.raises(BenchFailed, match="ZeroDivisionError"):
        result.raise_failures()


def test_ctrl_c_marks_the_result_interrupted_with_what_finished(x86_bundle, one_page, tmp_path, monkeypatch) -> None:
    from edgeocr.bench import sweep
    from edgeocr.bench.sweep import BenchInterrupted
    from edgeocr.device import LocalDevice

    real, calls = sweep.summarize_run, []

    def interrupted_on_the_second(raw, config, plan, source):
        calls.append(config.threads)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(raw, config, plan, source)

    monkeypatch.setattr(sweep, "summarize_run", interrupted_on_the_second)
    result = _library_run([LocalDevice()], x86_bundle, one_page, tmp_path, threads=(1, 2))
    [local] = result.devices
    assert isinstance(local.error, BenchInterrupted) and local.error.exit_code == 130
    saved = json.loads(local.path.read_text())
    assert (saved["status"], saved["partial"]) == ("interrupted", True)
    assert [c["threads"] for c in saved["configs"]] == [1] and saved["error"]["config"] == "threads=2 power_mode=high"
    with pytest.raises(BenchInterrupted):
        result.raise_failures()


def test_each_bundle_file_is_hashed_once_per_bench(x86_bundle, one_page, tmp_path, monkeypatch) -> None:
    """The bundle is loaded and verified once; deploy and the host side reuse its hashes."""
    from edgeocr import bundle
    from edgeocr.device import sync
    from edgeocr.device import LocalDevice

    hashed: list[str] = []
    for module in (bundle, sync):
        real = module.sha256_file
        monkeypatch.setattr(module, "sha256_file", lambda p, real=real: (hashed.append(Path(p).name), real(p))[1])
    result = _library_run([LocalDevice()], x86_bundle, one_page, tmp_path)
    assert result.devices[0].error is None
    files = json.loads((x86_bundle / "manifest.json").read_text())["files"]
    assert sorted(h for h in hashed if h in files) == sorted(files)


def test_several_bundles_side_by_side(x86_bundle: Path, pulled_models, bench_labels: Path, tmp_path: Path) -> None:
    """Paddle-Lite and ONNX Runtime bundles of the same models on the same device and data: one
    table, ratios against the first, each bundle's own result folder, parity with the host."""
    from edgeocr.convert.bundle import convert_bundle
    from edgeocr.targets import load_target

    ort_bundle = convert_bundle(pulled_models, load_target("x86_64", runtime="onnxruntime"), tmp_path / "ort").path
    out = tmp_path / "out"
    res = bench("--local", "--bundle", str(x86_bundle), "--bundle", str(ort_bundle), "--data",
                str(bench_labels), "--threads", "1", *QUICK, "--workdir", str(tmp_path / "work"), "--out", str(out))
    assert res.exit_code == 0, f"{res.output}\n{res.exception!r}"
    lite, ort = (result_of(out / f"{i}-{b.name}", "local") for i, b in ((1, x86_bundle), (2, ort_bundle)))
    assert lite["stamp"]["runner"]["backend"] == "lite" and ort["stamp"]["runner"]["backend"] == "onnx"
    assert ort["stamp"]["host_reference"]["backend"] == "onnx"
    assert ort["configs"][0]["parity"]["text_agreement"] == 1.0
    report = json.loads((out / "report.json").read_text())
    rows = report["rows"]
    assert [r["runtime"].split()[0] for r in rows] == ["paddle-lite", "onnxruntime"]
    assert rows[0]["speedup"] == 1.0 and rows[1]["speedup"] > 0 and rows[1]["accuracy"] == rows[0]["accuracy"]
    assert "onnxruntime" in (out / "report.md").read_text() and "speedup" in res.output


def test_several_bundles_need_one_runner_per_runtime(x86_bundle: Path, ort_armlinux_bundle: Path, one_page: Path,
                                                     tmp_path: Path) -> None:
    runners = []
    for name in ("a", "b"):
        runner = tmp_path / name / "edgeocr-runner"
        runner.parent.mkdir()
        runner.write_bytes(b"\x7fELF")
        (runner.parent / "build.json").write_text(json.dumps({"runtime": {"name": "paddle-lite"}}))
        runners += ["--runner-bin", str(runner)]
    res = bench("--local", "--bundle", str(x86_bundle), "--bundle", str(ort_armlinux_bundle), "--images", str(one_page),
                *runners, "--no-parity", *QUICK, "--out", str(tmp_path / "out"))
    assert res.exit_code != 0 and "2 of the --runner-bin runners are built for its paddle-lite runtime" in str(res.exception)
