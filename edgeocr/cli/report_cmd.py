"""``edgeocr report RUN.json...``: compare bench runs side by side (e.g. float vs PACT vs
pruned+PACT on one device), with ratios against a baseline row."""

from __future__ import annotations

from pathlib import Path

import click

from edgeocr.bench.report import COMPARISON_COLUMNS, config_rows, load_result, table, with_ratios, write_comparison


@click.command("report")
@click.argument("runs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--baseline", type=click.IntRange(min=1), default=1, show_default=True,
              help="Row the ratios are taken against (rows are the runs' configurations, in argument order).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Also write report.md, report.csv, report.json and plots into this folder.")
def report(runs: tuple[Path, ...], baseline: int, out: Path | None) -> None:
    """Compare bench result files (RUN.json from `edgeocr bench`) as one table with ratios:
    speedup = baseline median / median; size_x, rss_x = this / baseline; accuracy_delta = this - baseline."""
    results = [(path, load_result(path)) for path in runs]
    rows = with_ratios([row for _, result in results for row in config_rows(result)], baseline - 1)
    click.echo(table(rows, COMPARISON_COLUMNS))
    unlike = [str(i + 1) for i, row in enumerate(rows) if row["measured_unlike"]]
    if unlike:
        click.echo(f"note: rows {', '.join(unlike)} were measured unlike row {baseline} (see measured_unlike); "
                   "their ratios compare the measurements as well as the models", err=True)
    if out is not None:
        write_comparison(out, rows, results)
        click.echo(f"report: {out / 'report.md'}")


COMMANDS = [report]
