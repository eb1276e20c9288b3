"""``edgeocr data``: make synthetic labelled data and check PaddleOCR label files."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import click

from edgeocr.data.labels import KINDS, DetSample, read_labels
from edgeocr.data.synth import LABEL_FILE, STYLES, style_config, synthesize
from edgeocr.models.charset import load_charset
from edgeocr.utils.atomic import write_json
from edgeocr.utils.table import markdown_table


@click.group("data")
def data() -> None:
    """Labelled data: synthesize it, check it."""


@data.command("synth")
@click.option("--kind", type=click.Choice(KINDS), required=True,
              help="rec: cropped text lines; det: scenes of several lines with their quadrilaterals.")
@click.option("--count", type=click.IntRange(min=1), required=True, help="Number of images.")
@click.option("--out", type=click.Path(path_type=Path), required=True, help="Output folder (images/ + labels.txt).")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True, help="Same seed, same bytes.")
@click.option("--force", is_flag=True, help="Replace --out if it exists and is not empty.")
@click.option("--style", type=click.Choice(list(STYLES)), default="train", show_default=True,
              help="train: the fonts and backgrounds training data use; heldout: fonts and backgrounds no training "
                   "set uses (for evaluation only).")
def synth(kind: str, count: int, out: Path, seed: int, force: bool, style: str) -> None:
    """Render labelled Chinese/English text in PaddleOCR's det or rec label format."""
    synthesize(kind, out, count, seed, force=force, config=style_config(style))
    click.echo(f"wrote {count} {kind} samples to {out} (labels: {out / LABEL_FILE})")


@data.command("check")
@click.argument("labels", type=click.Path(path_type=Path))
@click.option("--kind", type=click.Choice(KINDS), required=True, help="Label format of LABELS.")
@click.option("--dict", "dict_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Dictionary the labels must fit (default: ppocr_keys_v1.txt).")
@click.option("--data-dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Folder the image paths are relative to (default: the label file's folder).")
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the summary as JSON.")
def check(labels: Path, kind: str, dict_path: Path | None, data_dir: Path | None, json_out: Path | None) -> None:
    """Validate LABELS (format, images present, characters in the dictionary) and summarise it."""
    label_set = read_labels(labels, kind, allowed_chars=load_charset(dict_path).allowed(), image_root=data_dir)
    summary: dict[str, object] = {"labels": str(labels), "kind": kind, "images": len(label_set.samples)}
    if kind == "det":
        regions = Counter(r.dont_care for s in label_set.samples if isinstance(s, DetSample) for r in s.regions)
        summary.update(regions=regions[False] + regions[True], dont_care=regions[True])
    else:
        summary["chars"] = sum(len(s.text) for s in label_set.samples)
    click.echo(markdown_table([summary]))
    if json_out is not None:
        write_json(json_out, summary)


COMMANDS = [data]
