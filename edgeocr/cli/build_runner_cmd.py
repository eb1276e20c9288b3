"""``edgeocr build-runner``: the native runner for a phone or board, built against a
Paddle-Lite release library or ONNX Runtime (``edgeocr.runner.native_build``)."""

from __future__ import annotations

import click

from edgeocr.runner.native_build import ANDROID_TARGETS, LINUX_TARGETS, build_runner
from edgeocr.targets import RUNTIMES


@click.command("build-runner")
@click.option("--target", "target_name", required=True, type=click.Choice([*ANDROID_TARGETS, *LINUX_TARGETS]),
              help="Android ABI (built with the NDK), armlinux-aarch64 (g++-aarch64-linux-gnu) or x86_64 (this host; "
                   "ONNX Runtime only).")
@click.option("--runtime", type=click.Choice(RUNTIMES), default=None,
              help="Runtime the runner runs bundles on [default: the target's first, paddle-lite].")
@click.option("--ndk", type=click.Path(), help="Android NDK folder (r21 or newer); Android targets only.")
@click.option("--lite-lib", type=click.Path(), help="Paddle-Lite release folder (or its cxx/) of the target's version.")
@click.option("--ort-lib", type=click.Path(),
              help="ONNX Runtime library: libonnxruntime.so[.1], a folder with it (and include/), or an Android AAR "
                   "[default: the one `edgeocr runtimes fetch onnxruntime` fetched for the target].")
@click.option("--out", type=click.Path(file_okay=False), default="out/runner", show_default=True,
              help="Output folder; the runner goes to OUT/TARGET/ (ONNX Runtime: OUT/TARGET-onnxruntime/).")
@click.option("--jobs", type=click.IntRange(min=1), default=2, show_default=True, help="Parallel compile jobs.")
def build_runner_cmd(target_name: str, runtime: str | None, ndk: str | None, lite_lib: str | None, ort_lib: str | None,
                     out: str, jobs: int) -> None:
    """Build edgeocr-runner for TARGET; deploy it with --runner-bin DIR/edgeocr-runner --runtime-lib DIR/lib
    (DIR: the folder printed)."""
    dest = build_runner(target_name, out, ndk=ndk, lite_lib=lite_lib, jobs=jobs, log=lambda m: click.echo(m, err=True),
                        runtime=runtime, ort_lib=ort_lib)
    click.echo(f"runner written to {dest}")


COMMANDS = [build_runner_cmd]
