"""``edgeocr android prepare``: the Android demo app's bundle and native libraries
(``edgeocr.runner.android``)."""

from __future__ import annotations

import click

from edgeocr.runner.android import PROJECT, prepare


@click.group("android")
def android() -> None:
    """The Android demo app (android_demo/)."""


@android.command("prepare")
@click.option("--bundle", required=True, type=click.Path(exists=True, file_okay=False),
              help="Bundle converted for arm64-v8a or armeabi-v7a (edgeocr convert).")
@click.option("--lite-lib", required=True, type=click.Path(),
              help="Paddle-Lite Android release folder (or its cxx/) of the bundle's converter version.")
@click.option("--project", type=click.Path(file_okay=False), default=str(PROJECT), show_default=True,
              help="The Android demo project.")
def prepare_cmd(bundle: str, lite_lib: str, project: str) -> None:
    """Copy BUNDLE, Paddle-Lite and Clipper's source into the Android project; then build it
    with ./gradlew assembleDebug (see android_demo/README.md)."""
    abi = prepare(bundle, lite_lib, project, log=lambda m: click.echo(m, err=True))
    click.echo(f"android_demo prepared for {abi}")


COMMANDS = [android]
