"""``edgeocr.bench.run``: the library entry point of a benchmark, which the CLI and the
scripts in ``benchmarks/`` call.

One call: the host reference run for parity (the same models on this host, ``edgeocr.verify.reference``),
the sweep on every device, and the files for people and programs (``report``). What it
measured comes back as objects — each device's result and the summary rows — never as text
to be scraped.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from edgeocr.bench.accuracy import host_reference
from edgeocr.bench.dataset import Dataset
from edgeocr.bench.report import load_result, write_bench_outputs
from edgeocr.bench.sweep import BenchFailed, BenchInterrupted, BenchPlan, Log, configurations, run_sweep
from edgeocr.device.base import Device
from edgeocr.device.work_count import build_work_plugin
from edgeocr.errors import EdgeOCRError, InputError
from edgeocr.paths import home
from edgeocr.runner.deploy import DeployRequest
from edgeocr.verify.reference import ReferenceUnavailable


def _work_plugin(devices: Sequence[Device], count_work: bool | None, log: Log) -> Path | None:
    """The instruction-counting plugin when instructions are to be counted, else None."""
    if count_work is False or (count_work is None and not any(d.emulated for d in devices)):
        return None
    try:
        return build_work_plugin(home() / "work-plugin")
    except EdgeOCRError as e:
        if count_work:
            raise
        log(f"no instruction counts: {e}")
        return None


@dataclass(frozen=True)
class DeviceResult:
    """One device's benchmark: its result file, what it holds, and the error if it stopped."""

    device: Device
    path: Path
    result: dict[str, Any]
    error: BenchFailed | None


@dataclass(frozen=True)
class BenchRun:
    """What ``run`` measured: per device its result, the summary rows, and the output folder."""

    out: Path
    devices: list[DeviceResult]
    rows: list[dict[str, Any]]

    @property
    def failures(self) -> list[BenchFailed]:
        return [d.error for d in self.devices if d.error is not None]

    def raise_failures(self) -> None:
        """One error naming every device that stopped (Ctrl-C wins: it is what the user did)."""
        failures = self.failures
        if failures:
            kind = BenchInterrupted if any(isinstance(f, BenchInterrupted) for f in failures) else BenchFailed
            raise kind("\n".join(map(str, failures)))


def run(request: DeployRequest, devices: Sequence[Device], dataset: Dataset, out: Path, *,
        threads: Sequence[int] = (1,), power_modes: Sequence[str] = ("high",), warmup: int = 10, repeats: int = 50,
        cooldown_s: float = 30.0, timeout_s: float = 3600.0, skip_parity: str | None = None, command: str = "",
        count_work: bool | None = None, log: Log = lambda _: None) -> BenchRun:
    """Benchmark ``request`` (a bundle or, on this host, inference models) on ``devices``.

    Writes one result file per device plus ``summary.csv``, ``report.md`` and plots into
    ``out``, also when a device fails or Ctrl-C stops the run (then the files are marked
    partial); a failed device does not stop the others. ``skip_parity`` says why no host
    reference is run (None: run it); ``command`` is recorded as how the run was made.
    ``count_work`` counts the aarch64 instructions of every run on emulated devices (the
    deterministic ARM cost; None: whenever a device is emulated and the counter can be built).
    """
    if not devices:
        raise InputError("no device to benchmark")
    if len({d.name for d in devices}) < len(devices):
        raise InputError(f"a device is named twice: {', '.join(d.name for d in devices)}")
    mode = dataset.mode("cls" in request.payload.tasks)
    reference: dict[str, Any] = {"skipped": skip_parity}
    if skip_parity is None:
        log("host reference run (the same models on this host)")
        try:
            reference = host_reference(request.payload, dataset, mode)
        except ReferenceUnavailable as e:
            log(f"no parity figures: {e}")
            reference = {"skipped": str(e)}
    plan = BenchPlan(request, dataset, mode, tuple(configurations(threads, power_modes)), warmup, repeats,
                     cooldown_s, timeout_s, out, command, reference, _work_plugin(devices, count_work, log))
    outcomes = run_sweep(devices, plan, log)
    results = [DeviceResult(o.device, o.path, load_result(o.path), o.error) for o in outcomes]
    rows = write_bench_outputs(out, [(d.path, d.result) for d in results])
    return BenchRun(out, results, rows)
