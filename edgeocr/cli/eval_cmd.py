"""``edgeocr eval``: score a model set on a PaddleOCR-format labelled data set."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from edgeocr.cli.options import ModelSelection, model_options
from edgeocr.metrics.evaluate import TASKS, evaluate, load_task_labels
from edgeocr.models.charset import load_charset
from edgeocr.utils.atomic import write_json
from edgeocr.utils.table import markdown_table


@click.command("eval")
@click.option("--task", type=click.Choice(TASKS), required=True,
              help="rec: label crops -> recognizer; det: detection only; e2e: the full pipeline.")
@click.option("--labels", type=click.Path(path_type=Path), required=True,
              help="PaddleOCR label file (rec format for --task rec, det format otherwise).")
@click.option("--data-dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Folder the image paths are relative to (default: the label file's folder).")
@model_options
@click.option("--keep-spaces", is_flag=True,
              help="Compare texts with their spaces (default: spaces ignored, like PaddleOCR's RecMetric).")
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write metrics, counts, backend, models and timings to this JSON file.")
def eval_command(
    task: str,
    labels: Path,
    data_dir: Path | None,
    selection: ModelSelection,
    keep_spaces: bool,
    json_out: Path | None,
) -> None:
    """Score det, rec or end-to-end OCR on a labelled data set; prints a table, writes JSON."""
    models = selection.model_set()
    # labels first: a bad label file should fail in a second, not after the models load
    label_set = load_task_labels(task, labels, load_charset(models.dict_path).allowed(), data_dir)
    system = selection.system(models)
    report = evaluate(task, label_set, system, ignore_space=not keep_spaces)
    report["run"] = selection.run_info(models, system)
    click.echo(markdown_table(_rows(report), ["metric", "value"]))
    if json_out is not None:
        write_json(json_out, report)


def _rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per number: metrics and counts, then sample count and timings."""
    rows = [{"metric": k, "value": v} for k, v in report["metrics"].items()]
    rows.append({"metric": "samples", "value": report["samples"]})
    rows += [{"metric": k, "value": v} for k, v in report["timings"].items()]
    rows.append({"metric": "backend", "value": f"{report['run']['backend']} ({report['run']['models']})"})
    return rows


COMMANDS = [eval_command]
