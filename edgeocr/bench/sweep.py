"""The benchmark sweep: every configuration (threads x power mode) on every device.

Per device: deploy (unchanged files are skipped), push the data, then per configuration run
the runner once over all images (``warmup`` + ``repeats`` runs each), pull and validate its
result, and summarise it: stage statistics, accuracy, parity with the host reference. Before
every configuration but the first the device rests ``cooldown_s`` seconds, so the heat of
one configuration does not slow the next; the hottest thermal zone is recorded before each
where the device exposes one.

A device's result file is rewritten after every configuration, so what was measured
survives whatever happens next. A failure — of the device, or of this host's own code —
marks the file ``failed`` with the configuration that failed, and ``BenchFailed`` says which
one and where the partial results are; the other devices carry on. Ctrl-C stops every device
at its next configuration and marks its file ``interrupted``. Whenever a file holds fewer
configurations than were planned it says ``partial: true``. Several devices run in parallel
threads, one result file each (the work is on the devices; here we only wait on their clients).
"""

from __future__ import annotations

import platform
import posixpath
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from edgeocr import __version__
from edgeocr.bench.accuracy import accuracy
from edgeocr.verify.parity import parity
from edgeocr.bench.dataset import Dataset
from edgeocr.bench.report import RESULT_FORMAT
from edgeocr.bench.stats import stage_samples, stage_stats
from edgeocr.device.base import Device
from edgeocr.device.sync import push_folder
from edgeocr.device.work_count import WorkCounts, plugin_prefix, read_work_counts
from edgeocr.errors import EdgeOCRError
from edgeocr.runner.contract import STAGES
from edgeocr.runner.deploy import Deployment, DeployRequest, deploy
from edgeocr.runner.remote import command_line, run_remote
from edgeocr.utils.atomic import write_json

DATA_DIR, RESULTS_DIR = "data", "results"

Log = Callable[[str], None]


class BenchFailed(EdgeOCRError):
    """A device's benchmark stopped; its result file holds what was measured until then."""


class BenchInterrupted(BenchFailed):
    """Ctrl-C: every device stopped at its next configuration; their files hold what finished."""

    exit_code = 130


@dataclass(frozen=True)
class Config:
    """One point of the sweep."""

    threads: int
    power_mode: str

    @property
    def name(self) -> str:
        return f"threads={self.threads} power_mode={self.power_mode}"

    @property
    def slug(self) -> str:
        return f"t{self.threads}-{self.power_mode}"


def configurations(threads: Sequence[int], power_modes: Sequence[str]) -> list[Config]:
    """Every combination, threads varying fastest within a power mode."""
    return [Config(t, p) for p in power_modes for t in threads]


@dataclass(frozen=True)
class BenchPlan:
    """Everything a sweep needs besides the devices."""

    request: DeployRequest
    dataset: Dataset
    mode: str
    configs: tuple[Config, ...]
    warmup: int
    repeats: int
    cooldown_s: float
    timeout_s: float
    out: Path
    command: str
    reference: dict[str, Any]  # the host reference run, or {"skipped": why}
    work_plugin: Path | None = None  # count instructions (emulated devices, native runner) with this qemu plugin


def max_temperature_c(device: Device) -> float | None:
    """The hottest thermal zone in degrees C, or None where none can be read."""
    out = device.shell("cat /sys/class/thermal/thermal_zone*/temp 2>/dev/null", timeout=30).stdout
    values = [int(v) for v in out.split() if v.lstrip("-").isdigit()]
    return max(values) / 1000 if values else None  # sysfs reports millidegrees


def _stamp(device: Device, plan: BenchPlan) -> dict[str, Any]:
    local = device.transport == "local"
    return {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "command": plan.command,
        "edgeocr_version": __version__,
        "host": {"name": platform.node(), "machine": platform.machine()},
        "device": {"name": device.name, "serial": device.serial, "transport": device.transport},
        "latency_source": device.latency_note or (
            "this host (transport local): host latency, not a phone's or a board's" if local
            else f"the device, driven over {device.transport}"),
        "payload": plan.request.payload.to_json(),
        "data": {**plan.dataset.to_json(), "mode": plan.mode},
        "options": {"threads": sorted({c.threads for c in plan.configs}),
                    "power_modes": list(dict.fromkeys(c.power_mode for c in plan.configs)),
                    "warmup": plan.warmup, "repeats": plan.repeats, "cooldown_s": plan.cooldown_s,
                    "timeout_s": plan.timeout_s},
        "host_reference": {k: v for k, v in plan.reference.items() if k != "images"},
        "work": ("aarch64 instructions counted under qemu-user on emulated devices (native runner); compare at "
                 "threads 1" if plan.work_plugin else "not counted"),
    }


def summarize_run(raw: dict[str, Any], config: Config, plan: BenchPlan, source: str) -> dict[str, Any]:
    """One configuration's entry in a result file, from the runner's validated result."""
    images = raw["images"]
    reference = plan.reference.get("images")
    return {
        "name": config.name,
        "threads": config.threads,
        "power_mode": config.power_mode,
        "applied": raw["applied"],
        "notes": raw["notes"],
        "init_ms": raw["init_ms"],
        "peak_rss_kb": raw["peak_rss_kb"],
        "consistent": all(image["consistent"] for image in images),
        "latency_ms": stage_stats(images, STAGES[plan.mode]),
        "total_ms_samples": stage_samples(images, "total"),
        "accuracy": accuracy(plan.dataset, images, raw["drop_score"], source),
        "parity": parity(reference, images, source) if reference else {"skipped": plan.reference["skipped"]},
    }


def summarize_work(counts: WorkCounts, images: Sequence[str], threads: int) -> dict[str, Any]:
    """A configuration's instruction counts: per image and per stage, medians over the timed
    runs. Only one thread gives a figure to compare (more threads are summed over vCPUs)."""
    stages = counts["stages"]  # per stage: ``per_image`` medians over the timed runs, in image order
    per_image = [{"image": images[image["image"]], "run": float(np.median([r["total"] for r in image["runs"]])),
                  "stages": {s: stage["per_image"][i] for s, stage in stages.items()}}
                 for i, image in enumerate(counts["images"])]
    return {
        "unit": "aarch64 instructions (qemu-user, dynamic count)",
        "comparable": threads == 1 and counts["vcpus"] == 1,
        "vcpus": counts["vcpus"],
        "init": counts["init"],
        "per_image_median": float(np.median([p["run"] for p in per_image])) if per_image else None,
        "stages": {name: stage["median"] for name, stage in stages.items()},
        "images": per_image,
    }


class _DeviceRun:
    """One device's sweep and its result file."""

    def __init__(self, device: Device, plan: BenchPlan, log: Log, stop: threading.Event) -> None:
        self.device, self.plan, self.log, self.stop = device, plan, log, stop
        self.slug = device.slug
        self.path = plan.out / f"{self.slug}.json"
        self.result: dict[str, Any] = {"format": RESULT_FORMAT, "status": "running", "partial": True, "error": None,
                                       "stamp": _stamp(device, plan), "configs": []}
        self.current: str | None = None  # the configuration being measured (None: deploying)

    def save(self) -> None:
        self.result["partial"] = len(self.result["configs"]) < len(self.plan.configs)
        write_json(self.path, self.result)

    def fail(self, error: BaseException) -> BenchFailed:
        """Mark the result file with how it ended (``interrupted`` for ``BenchInterrupted``,
        else ``failed``); the error to report."""
        status = "interrupted" if isinstance(error, BenchInterrupted) else "failed"
        done, config = len(self.result["configs"]), self.current
        message = str(error) if isinstance(error, EdgeOCRError) else f"{type(error).__name__}: {error}"
        self.result.update(status=status, error={"config": config, "message": message})
        self.save()
        where = f"configuration {config} ({done + 1} of {len(self.plan.configs)})" if config else "deploy"
        kind = BenchInterrupted if status == "interrupted" else BenchFailed
        return kind(f"{self.device.name}: {where} {status}: {message}\n  results of {done} completed "
                    f"configuration(s) saved to {self.path}")

    def run(self) -> Path:
        """The sweep; any failure (the device's or this host's) ends as ``BenchFailed`` with the
        file marked, Ctrl-C (in this thread, or ``stop`` from another) as ``BenchInterrupted``."""
        self.save()
        try:
            self._sweep()
        except KeyboardInterrupt:
            raise self.fail(BenchInterrupted("interrupted (Ctrl-C)")) from None
        except Exception as e:  # the device's errors and this host's alike: the others go on
            raise self.fail(e) from e
        self.result["status"] = "complete"
        self.save()
        return self.path

    def _sweep(self) -> None:
        plan, device = self.plan, self.device
        deployment = deploy(device, plan.request, self.log)
        workdir = deployment.workdir
        push_folder(device, workdir, DATA_DIR, plan.dataset.files, self.log)
        device.shell(["mkdir", "-p", deployment.path(RESULTS_DIR)], check=True, timeout=60)
        self.result["stamp"].update(device=deployment.info.to_json(), workdir=workdir, runner=deployment.runner,
                                    runtime_version=deployment.runtime_version)
        for i, config in enumerate(plan.configs):
            self.current = config.name
            if self.stop.is_set():
                raise BenchInterrupted("interrupted (Ctrl-C) before this configuration")
            if i and plan.cooldown_s > 0:
                self.log(f"{device.name}: cooling down {plan.cooldown_s:g} s")
                time.sleep(plan.cooldown_s)
            self.result["configs"].append(self._config(deployment, config, i))
            self.save()

    def _config(self, deployment: Deployment, config: Config, index: int) -> dict[str, Any]:
        plan = self.plan
        options = deployment.run_options(images=deployment.path(DATA_DIR),
                                         out=deployment.path(RESULTS_DIR, f"{config.slug}.json"),
                                         threads=config.threads, power_mode=config.power_mode,
                                         warmup=plan.warmup, repeats=plan.repeats, mode=plan.mode)
        temperature = max_temperature_c(self.device)
        self.log(f"{self.device.name}: [{index + 1}/{len(plan.configs)}] {config.name}: running "
                 f"{len(plan.dataset.files)} image(s) x ({plan.warmup} + {plan.repeats})")
        raw_path = plan.out / "raw" / self.slug / f"{config.slug}.json"
        work = None
        if plan.work_plugin is not None and self.device.emulated and deployment.runner["kind"] == "native":
            work = plan.out / "raw" / self.slug / f"{config.slug}.work.json"
            work.parent.mkdir(parents=True, exist_ok=True)  # the plugin writes it, and makes no folders
            work.unlink(missing_ok=True)
        raw = run_remote(deployment, options, raw_path, plan.timeout_s,
                         under=plugin_prefix(plan.work_plugin, work) if work else None)
        entry = summarize_run(raw, config, plan, f"{self.device.name}:{options.out}")
        entry["work"] = (summarize_work(read_work_counts(work), sorted(plan.dataset.files), config.threads) if work
                         else {"skipped": "instructions are counted on emulated devices running the native runner"})
        entry.update(temp_c_before=temperature, runner_command=command_line(deployment, options),
                     raw=posixpath.relpath(raw_path.as_posix(), plan.out.as_posix()))
        self.log(f"{self.device.name}: {config.name}: total median {entry['latency_ms']['total']['median']:.1f} ms")
        return entry


@dataclass(frozen=True)
class Outcome:
    """How one device's benchmark ended: its result file, and the error if it failed."""

    device: Device
    path: Path
    error: BenchFailed | None


def run_sweep(devices: Sequence[Device], plan: BenchPlan, log: Log) -> list[Outcome]:
    """Benchmark every device in parallel; one ``Outcome`` per device, in the given order.

    Ctrl-C reaches the main thread only: it tells every device to stop at its next
    configuration, waits for them, and returns their outcomes (each ``BenchInterrupted``)."""
    stop = threading.Event()
    runs = [_DeviceRun(device, plan, log, stop) for device in devices]
    if len({run.path for run in runs}) < len(runs):
        raise EdgeOCRError(f"two devices share a result file name: {', '.join(r.device.name for r in runs)}")

    def one(run: _DeviceRun) -> Outcome:
        try:
            return Outcome(run.device, run.run(), None)
        except BenchFailed as e:
            return Outcome(run.device, run.path, e)

    if len(runs) == 1:  # in this thread, where Ctrl-C reaches the device client and stops it
        return [one(runs[0])]
    pool = ThreadPoolExecutor(max_workers=len(runs))
    futures = [pool.submit(one, run) for run in runs]
    try:
        while not all(f.done() for f in futures):
            time.sleep(0.1)  # waiting on futures in slices keeps the main thread open to Ctrl-C
    except KeyboardInterrupt:
        log("interrupted: stopping every device at its next configuration")
        stop.set()
    finally:
        pool.shutdown(wait=True)
    return [f.result() for f in futures]
