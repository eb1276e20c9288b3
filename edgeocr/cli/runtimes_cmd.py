"""``edgeocr runtimes fetch``: runtime libraries the native runner builds against, fetched
from a package registry into the edgeocr home (``edgeocr.runner.ort_release``)."""

from __future__ import annotations

import click

from edgeocr.runner import ort_release


@click.group("runtimes")
def runtimes() -> None:
    """Runtime libraries for the native runner (ONNX Runtime from npm)."""


@runtimes.command("fetch")
@click.argument("runtime", type=click.Choice([ort_release.RUNTIME]))
def fetch_cmd(runtime: str) -> None:
    """Fetch RUNTIME's libraries and headers for every target into $EDGEOCR_HOME/runtimes/
    (once; again only when a target profile names another package)."""
    for folder in ort_release.fetch(log=lambda m: click.echo(m, err=True)):
        click.echo(str(folder))


COMMANDS = [runtimes]
