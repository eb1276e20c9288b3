"""Images and recordings for the replay runner: the real PP-OCRv2 bundle (x86 Paddle-Lite)
run by the Python runner's own ``measure`` on rendered pages, every model call recorded."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np

from edgeocr.bundle import Bundle
from edgeocr.models.charset import load_charset
from edgeocr.ocr.backends.lite import LiteBackend, runtime_version
from edgeocr.ocr.system import TextSystem
from edgeocr.runner.measure import measure
from tests.conftest import render_line, render_page
from edgeocr.ocr.backends.recording import RecordingBackend

MODES = ("det_cls_rec", "det_rec", "rec")

PAGES = {
    "menu.png": [("雨果咖啡店", (40, 40), 40), ("铁艺灯箱 营业中", (40, 120), 36), ("Hello World 2024", (40, 200), 34),
                 ("价格 ¥25.00", (360, 300), 30)],
    "receipt.png": [("订单编号 20240518", (30, 30), 28), ("合计", (30, 90), 32), ("谢谢惠顾", (300, 90), 32),
                    ("edge OCR native runner", (30, 170), 26)],
}


def write_images(folder: Path) -> Path:
    """Pages (one saved as JPEG), a tilted page, a page with an upside-down line, a blank page."""
    folder.mkdir(parents=True)
    for name, lines in PAGES.items():
        cv2.imwrite(str(folder / name), render_page(lines))
    page = render_page(PAGES["menu.png"])
    cv2.imwrite(str(folder / "menu_photo.jpg"), page, [cv2.IMWRITE_JPEG_QUALITY, 95])
    tilt = cv2.getRotationMatrix2D((320, 240), 7.0, 1.0)
    cv2.imwrite(str(folder / "tilted.png"), cv2.warpAffine(page, tilt, (640, 480), borderValue=(220, 225, 235)))
    flipped = render_page(PAGES["receipt.png"][:2])
    line = cv2.rotate(render_line("上下颠倒的文字"), cv2.ROTATE_180)
    flipped[300:300 + line.shape[0], 60:60 + line.shape[1]] = line
    cv2.imwrite(str(folder / "upside_down.png"), flipped)
    cv2.imwrite(str(folder / "blank.png"), np.full((200, 300, 3), 230, np.uint8))
    return folder


def write_line_images(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for i, text in enumerate(["识别一行文字", "PaddleOCR v2", "2024-05-18 12:30", "上海市浦东新区"]):
        cv2.imwrite(str(folder / f"line{i}.png"), render_line(text, height=int(32 + 8 * i)))
    return folder


def record_cases(bundle: Path, root: Path) -> dict[str, dict]:
    """Per mode: images, the Python runner's image entries, and the recording of its model calls."""
    pages, lines = write_images(root / "pages"), write_line_images(root / "lines")
    models = Bundle.load(bundle)
    out = {}
    for mode in MODES:
        images = lines if mode == "rec" else pages
        tasks = ("det", "cls", "rec") if mode == "det_cls_rec" else ("det", "rec")
        backend = RecordingBackend(LiteBackend(models), root / f"rec_{mode}", tasks)
        system = TextSystem(backend, load_charset(models.dict_path), replace(models.config, drop_score=0.0))
        entries = measure(system, {p.name: p for p in sorted(images.iterdir())}, warmup=0, repeats=1, mode=mode)
        out[mode] = {"images": images, "python": entries, "recording": backend.save(runtime_version())}
    return out
