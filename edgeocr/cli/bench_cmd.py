"""``edgeocr bench``: deploy, run a sweep of configurations on one or more devices, and
report latency, accuracy and parity with the host, stamped with how they were measured."""

from __future__ import annotations

import shlex
from datetime import datetime
from pathlib import Path
from typing import Sequence

import click

from edgeocr import bench as bench_lib
from edgeocr.bench.dataset import load_dataset
from edgeocr.bench.report import COMPARISON_COLUMNS, config_rows, table, with_ratios, write_comparison
from edgeocr.cli.deploy_cmd import deploy_options, emulated_cpu_option, log
from edgeocr.data.labels import KINDS
from edgeocr.device import Device, LocalDevice, get_device
from edgeocr.models.charset import load_charset
from edgeocr.runner.contract import POWER_MODES
from edgeocr.runner.deploy import DeployRequest

SUMMARY_COLUMNS = ["device", "models", "threads", "power_mode", "applied", "init_ms", "peak_rss_mb",
                   "total_median_ms", "total_p90_ms", "total_p99_ms", "work_minsn", "metric", "accuracy", "parity_text",
                   "parity_box"]


def _int_list(ctx: click.Context, param: click.Parameter, value: str) -> list[int]:
    try:
        numbers = [int(v) for v in value.split(",") if v.strip()]
    except ValueError:
        raise click.BadParameter(f"expected comma-separated integers, got {value!r}") from None
    if not numbers or min(numbers) < 1:
        raise click.BadParameter("expected one or more thread counts >= 1")
    return list(dict.fromkeys(numbers))


def _power_modes(ctx: click.Context, param: click.Parameter, value: str) -> list[str]:
    modes = [v.strip() for v in value.split(",") if v.strip()]
    bad = [m for m in modes if m not in POWER_MODES]
    if not modes or bad:
        raise click.BadParameter(f"expected comma-separated power modes from {', '.join(POWER_MODES)}")
    return list(dict.fromkeys(modes))


def invocation(ctx: click.Context) -> str:
    """The command as edgeocr understood it, every option spelled out (defaults included), so
    it reproduces the run even where defaults later change."""
    words = ["edgeocr", ctx.info_name or "bench"]
    for param in ctx.command.params:
        value = ctx.params.get(param.name)
        for item in (value if getattr(param, "multiple", False) else [value]):
            if item is False and getattr(param, "secondary_opts", None):  # --no-... of an on/off pair
                words.append(param.secondary_opts[0])
            if item is None or item is False:
                continue
            if getattr(param, "is_flag", False):
                words.append(param.opts[0])
            else:
                words += [param.opts[0], ",".join(map(str, item)) if isinstance(item, list) else str(item)]
    return shlex.join(words)


def select_devices(serials: Sequence[str], sshs: Sequence[str], local: bool, emulated: bool,
                   cpu: str | None = None) -> list[Device]:
    """Every device named (several run in parallel), or the single attached phone."""
    devices = [get_device(serial=s) for s in serials] + [get_device(ssh=h) for h in sshs]
    devices += [LocalDevice()] if local else []
    devices += [get_device(emulated=True, cpu=cpu)] if emulated or cpu else []
    return devices or [get_device()]


@click.command("bench")
@click.option("--serial", "serials", multiple=True, help="adb serial (repeatable; several devices run in parallel).")
@click.option("--ssh", "sshs", multiple=True, help="Board name or user@host[:port] (repeatable).")
@click.option("--local", is_flag=True, help="This host (its latency is host latency, and is reported as such).")
@click.option("--emulated", is_flag=True, help="The emulated arm64 board qemu-arm64 (`edgeocr devices emulated-setup`; "
                                               "root): its latency is emulated, and reported as such.")
@emulated_cpu_option
@deploy_options(many=True)
@click.option("--data", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="PaddleOCR label file: timings and accuracy (det labels: det/e2e Hmean; rec labels: line accuracy).")
@click.option("--data-kind", type=click.Choice(KINDS), default="det", show_default=True, help="Format of --data.")
@click.option("--data-dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Folder the label file's image paths are relative to (default: the label file's folder).")
@click.option("--images", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Instead of --data: a folder of images (timings only).")
@click.option("--threads", default="1,2,4", show_default=True, callback=_int_list, help="Thread counts to sweep.")
@click.option("--power-mode", "power_modes", default="high", show_default=True, callback=_power_modes,
              help=f"Power modes to sweep ({', '.join(POWER_MODES)}).")
@click.option("--warmup", type=click.IntRange(min=0), default=10, show_default=True, help="Warm-up runs per image.")
@click.option("--repeats", type=click.IntRange(min=1), default=50, show_default=True, help="Timed runs per image.")
@click.option("--cooldown", type=click.FloatRange(min=0), default=30.0, show_default=True,
              help="Seconds of rest before each configuration after the first.")
@click.option("--timeout", type=click.FloatRange(min=1), default=3600.0, show_default=True,
              help="Seconds one configuration may take.")
@click.option("--no-parity", is_flag=True, help="Skip the host reference run (no parity figures).")
@click.option("--count-work/--no-count-work", default=None,
              help="Count the aarch64 instructions per stage on emulated devices (the deterministic ARM cost) "
                   "[default: whenever a device is emulated].")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Output folder [default: out/bench/<date-time>].")
def bench(serials: tuple[str, ...], sshs: tuple[str, ...], local: bool, emulated: bool, cpu: str | None,
          requests: list[DeployRequest],
          data: Path | None, data_kind: str, data_dir: Path | None, images: Path | None, threads: list[int], power_modes: list[str],
          warmup: int, repeats: int, cooldown: float, timeout: float, no_parity: bool, count_work: bool | None,
          out: Path | None) -> None:
    """Benchmark a bundle (or several, side by side) on devices: latency per stage (min,
    median, mean, p90, p99, max, std), init time, peak memory, accuracy on labelled data,
    parity with the host and, on the emulated board, ARM instructions.

    Writes one JSON result per device plus summary.csv, report.md and plots to --out (several
    bundles: one folder each, and report.md/.csv/.json comparing them, ratios against the first).
    """
    dataset = load_dataset(data, data_kind, images, data_dir, load_charset(requests[0].payload.dict_path).allowed())
    out = out or Path("out") / "bench" / datetime.now().strftime("%Y%m%d-%H%M%S")
    devices = select_devices(serials, sshs, local, emulated, cpu)
    runs = []
    for i, request in enumerate(requests):
        where = out if len(requests) == 1 else out / f"{i + 1}-{request.payload.path.name}"
        if len(requests) > 1:
            log(f"== bundle {i + 1}/{len(requests)}: {request.payload.path}")
        runs.append(bench_lib.run(request, devices, dataset, where, threads=threads, power_modes=power_modes,
                                  warmup=warmup, repeats=repeats, cooldown_s=cooldown, timeout_s=timeout,
                                  skip_parity="--no-parity" if no_parity else None,
                                  command=invocation(click.get_current_context()), count_work=count_work, log=log))
    if len(runs) == 1:
        if runs[0].rows:
            click.echo(table(runs[0].rows, SUMMARY_COLUMNS))
        click.echo(f"results: {out} ({', '.join(d.path.name for d in runs[0].devices)}, summary.csv, report.md, plots/)")
    else:
        results = [(d.path, d.result) for run in runs for d in run.devices if d.result is not None]
        rows = with_ratios([row for _, result in results for row in config_rows(result)], 0)
        click.echo(table(rows, COMPARISON_COLUMNS))
        write_comparison(out, rows, results)
        click.echo(f"results: {out} (one folder per bundle; side by side: report.md, report.csv, report.json)")
    for run in runs:
        run.raise_failures()


COMMANDS = [bench]
