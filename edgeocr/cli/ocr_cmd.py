"""``edgeocr ocr IMAGE...``: run the PP-OCR system on images and report text, boxes and timings.

One unreadable image must not cost the results of a long batch, so each bad image is
reported (stderr, and an ``error`` entry in the JSON) and the run goes on; the exit
status says at the end whether everything was read.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
import cv2
import numpy as np
from tqdm import tqdm

from edgeocr.cli.options import ModelSelection, model_options
from edgeocr.errors import InputError
from edgeocr.ocr import read_image
from edgeocr.ocr.draw import draw_ocr
from edgeocr.ocr.image_io import IMAGE_EXTENSIONS, collect_images
from edgeocr.ocr.result import STAGES, OCRResult
from edgeocr.utils.atomic import atomic_path, write_json
from edgeocr.utils.table import markdown_table


@click.command("ocr")
@click.argument("images", nargs=-1, required=True, type=click.Path(path_type=Path))
@model_options
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write all results to this JSON file.")
@click.option("--draw", "draw_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Write each image with its boxes and recognised text into this folder.")
def ocr(
    images: tuple[Path, ...],
    selection: ModelSelection,
    out: Path | None,
    draw_dir: Path | None,
) -> None:
    """Detect and recognise text in IMAGE files (or every image in IMAGE folders)."""
    models = selection.model_set()
    system = selection.system(models)

    no_images = f"no images ({', '.join(sorted(IMAGE_EXTENSIONS))}) in folder"
    todo: list[tuple[Path, str | None]] = []  # (image, why it cannot be read) in argument order
    for arg in images:
        found = collect_images(arg)
        todo += [(p, None) for p in found] if found else [(arg, f"{arg}: {no_images}")]

    entries: list[dict[str, Any]] = []
    draw_names: set[str] = set()
    for path, problem in tqdm(todo, desc="ocr", unit="image", file=sys.stderr, disable=len(todo) < 2):
        if problem is None:
            try:
                image = read_image(path)
            except InputError as e:
                problem = str(e)
        if problem is not None:
            tqdm.write(f"edgeocr: skipped {problem}", file=sys.stderr)
            entries.append({"image": str(path), "error": problem})
            continue
        result = system(image)
        entries.append({"image": str(path), **result.to_json()})
        tqdm.write(_summary(path, result), file=sys.stdout)
        if draw_dir is not None:
            _write_drawing(draw_dir, path, draw_ocr(image, result), draw_names)

    ok = [e for e in entries if "error" not in e]
    if len(ok) > 1:
        rows = [{"image": e["image"], "lines": len(e["lines"]),
                 **{stage: f"{ms:.1f}" for stage, ms in e["timings_ms"].items()}} for e in ok]
        click.echo(markdown_table(rows, ["image", "lines", *STAGES]))
    if out is not None:
        write_json(out, {"run": selection.run_info(models, system), "images": entries})
    failed = len(entries) - len(ok)
    if failed:
        raise InputError(f"{failed} of {len(entries)} images could not be read (see the messages above)")


def _summary(path: Path, result: OCRResult) -> str:
    t = result.timings_ms
    head = (f"{path}: {len(result.lines)} lines in {t['total']:.1f} ms "
            f"(det {t['det_pre'] + t['det_infer'] + t['det_post']:.1f}, cls {t['cls']:.1f}, rec {t['rec']:.1f})")
    return "\n".join([head, *(f"  {line.score:.3f}  {line.text}" for line in result.lines)])


def _write_drawing(draw_dir: Path, image_path: Path, drawing: np.ndarray, used: set[str]) -> None:
    """Save as ``<stem>.jpg``; images sharing a stem (from different folders) get ``_2``, ``_3``..."""
    name, n = f"{image_path.stem}.jpg", 1
    while name in used:
        n += 1
        name = f"{image_path.stem}_{n}.jpg"
    used.add(name)
    ok, encoded = cv2.imencode(".jpg", drawing, [cv2.IMWRITE_JPEG_QUALITY, 92])
    if not ok:
        raise InputError(f"{draw_dir / name}: cannot encode the drawing")
    with atomic_path(draw_dir / name) as tmp:
        tmp.write_bytes(encoded.tobytes())


COMMANDS = [ocr]
