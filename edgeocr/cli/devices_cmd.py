"""``edgeocr devices``: every phone (adb), board (ssh, from the devices file), the emulated
arm64 board and this host, with what bench reports need to know about them;
``edgeocr devices emulated-setup`` makes the emulated board usable."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import click

from edgeocr.device import Device, DeviceError, list_devices, setup_emulated
from edgeocr.device.base import READY
from edgeocr.device.emulated import SERIAL
from edgeocr.utils.atomic import write_json
from edgeocr.utils.table import markdown_table


def describe(device: Device) -> dict[str, Any]:
    """One device as a JSON-ready row: name, serial, transport and state, plus its
    ``DeviceInfo`` when it answers (an unreachable board is a row, not a crash)."""
    row: dict[str, Any] = {"name": device.name, "serial": device.serial, "transport": device.transport}
    row["state"] = device.state()
    if row["state"] == READY:
        try:
            row.update(device.info().to_json())
        except DeviceError as e:
            row.update(state="error", error=str(e))
    return row


def freq_summary(khz: list[int]) -> str:
    """Per-core max frequencies grouped like a big.LITTLE spec sheet: ``4x1.80+4x2.42 GHz``."""
    if not khz:
        return ""
    groups = [f"{len(list(g))}x{f / 1e6:.2f}" for f, g in itertools.groupby(khz)]
    return "+".join(groups) + " GHz"


@click.group("devices", invoke_without_command=True)
@click.option(
    "--json",
    "json_out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the list, with per-core frequencies, as JSON to this file.",
)
@click.pass_context
def devices(ctx: click.Context, json_out: Path | None) -> None:
    """List phones (adb), boards (ssh, from $EDGEOCR_DEVICES or ~/.config/edgeocr/devices.yml),
    the emulated arm64 board (once set up) and this host, with state, model, ABI, OS, cores and
    max CPU frequencies."""
    if ctx.invoked_subcommand is not None:
        return
    rows = [describe(d) for d in list_devices()]
    table = [
        {
            "device": r["name"] if r["name"] == r["serial"] else f"{r['name']} ({r['serial']})",
            "transport": r["transport"],
            "state": r["state"],
            "model": r.get("model"),
            "ABI": r.get("abi"),
            "OS": r.get("os"),
            "cores": r.get("cpu_cores"),
            "max freq": freq_summary(r.get("cpu_max_freq_khz", [])),
        }
        for r in rows
    ]
    click.echo(markdown_table(table))
    if json_out is not None:
        write_json(json_out, rows)


@devices.command("emulated-setup")
def emulated_setup() -> None:
    """Set up the emulated arm64 board (qemu-arm64), as root.

    Registers qemu-aarch64 with binfmt_misc and builds the board's Debian arm64 user space
    once, from the Debian archive, in $EDGEOCR_EMULATED_ROOT (default <edgeocr home>/emulated/arm64);
    a quick no-op when both are done. Its latency is emulated, never a phone's or a board's."""
    root = setup_emulated(log=lambda message: click.echo(message, err=True))
    click.echo(f"{SERIAL}: ready, user space {root}")


COMMANDS = [devices]
