"""``edgeocr build-runner``: the native runner for a phone or board, built against a
Paddle-Lite release library (``edgeocr.runner.native_build``)."""

from __future__ import annotations

import click

from edgeocr.runner.native_build import ANDROID_TARGETS, LINUX_TARGETS, build_runner


@click.command("build-runner")
@click.option("--target", "target_name", required=True, type=click.Choice([*ANDROID_TARGETS, *LINUX_TARGETS]),
              help="Android ABI (built with the NDK) or armlinux-aarch64 (built with g++-aarch64-linux-gnu).")
@click.option("--ndk", type=click.Path(), help="Android NDK folder (r21 or newer); Android targets only.")
@click.option("--lite-lib", type=click.Path(), help="Paddle-Lite release folder (or its cxx/) of the target's version.")
@click.option("--out", type=click.Path(file_okay=False), default="out/runner", show_default=True,
              help="Output folder; the runner goes to OUT/TARGET/.")
@click.option("--jobs", type=click.IntRange(min=1), default=2, show_default=True, help="Parallel compile jobs.")
def build_runner_cmd(target_name: str, ndk: str | None, lite_lib: str | None, out: str, jobs: int) -> None:
    """Build edgeocr-runner for TARGET; deploy it with --runner-bin OUT/TARGET/edgeocr-runner
    --runtime-lib OUT/TARGET/lib."""
    dest = build_runner(target_name, out, ndk=ndk, lite_lib=lite_lib, jobs=jobs, log=lambda m: click.echo(m, err=True))
    click.echo(f"runner written to {dest}")


COMMANDS = [build_runner_cmd]
