"""Synthetic labelled data in PaddleOCR's formats, for measuring models without a data set.

``synth_rec`` writes tightly cropped single-line images with their text; ``synth_det``
writes scenes of 2-8 non-overlapping lines with each line's quadrilateral. Defaults aim
at moderate difficulty: text big and contrasted enough for PP-OCRv2 to read most lines,
with the rotation, perspective, blur, noise and JPEG artefacts of phone photos.

Sample ``i`` of seed ``s`` is drawn from its own generator seeded ``(s, i)``, so output is
byte-identical for a seed and a larger ``count`` only appends samples.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

import numpy as np
from shapely.geometry import Polygon
from tqdm import tqdm

from edgeocr import __version__
from edgeocr.data import render
from edgeocr.data.corpus import LineSampler
from edgeocr.data.fonts import check_fonts, fonts_for, load_font
from edgeocr.data.labels import DetRegion, DetSample, RecSample, write_labels
from edgeocr.errors import InputError
from edgeocr.models.charset import load_charset
from edgeocr.utils.atomic import atomic_dir, write_json

LABEL_FILE = "labels.txt"
IMAGE_DIR = "images"
MANIFEST = "synth.json"


@dataclass(frozen=True)
class SynthConfig:
    """Difficulty knobs. Lengths are pixels; ranges are inclusive ``(low, high)``."""

    fonts: str = "train"  # font set (edgeocr.data.fonts.FONT_SETS)
    backgrounds: tuple[str, ...] = ("flat", "gradient", "texture")
    light_background_prob: float = 0.7  # dark text on light ground, like most signs and prints
    box_pad: float = 0.12  # ground-truth quad beyond the ink, as a fraction of the ink height
    blur_prob: float = 0.4
    blur_sigma: tuple[float, float] = (0.4, 1.2)
    noise_prob: float = 0.5
    noise_sigma: tuple[float, float] = (2.0, 6.0)
    jpeg_quality: tuple[int, int] = (50, 95)
    # rec crops
    rec_font_px: tuple[int, int] = (22, 38)
    rec_max_rotation: float = 2.0  # degrees
    rec_perspective: float = 0.08  # corner shift, fraction of the ink height
    rec_margin: tuple[float, float] = (0.06, 0.25)  # crop margin per side, fraction of the ink height
    # det scenes
    det_size: tuple[tuple[int, int], tuple[int, int]] = ((640, 480), (960, 720))
    det_lines: tuple[int, int] = (2, 8)
    det_font_px: tuple[int, int] = (22, 60)
    det_max_rotation: float = 10.0
    det_perspective: float = 0.04  # corner shift, fraction of the image's short side

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class _Style:
    """Per-sample choices shared by every line of the sample."""

    band: tuple[float, float]  # background luminance band
    ink_band: tuple[float, float]  # text luminance band


def _style(rng: np.random.Generator, cfg: SynthConfig) -> _Style:
    light = rng.random() < cfg.light_background_prob
    return _Style(band=render.LIGHT, ink_band=render.DARK) if light else _Style(band=render.DARK, ink_band=render.LIGHT)


def _text_mask(rng: np.random.Generator, text: str, size: int, cfg: SynthConfig) -> render.TextMask:
    faces = fonts_for(text, cfg.fonts)
    return render.render_text(text, load_font(faces[int(rng.integers(len(faces)))], size), cfg.box_pad)


def _degrade(rng: np.random.Generator, image: np.ndarray, cfg: SynthConfig) -> bytes:
    """Camera-like blur and sensor noise, then JPEG at a random quality."""
    if rng.random() < cfg.blur_prob:
        image = render.blur(image, rng.uniform(*cfg.blur_sigma))
    if rng.random() < cfg.noise_prob:
        image = render.add_noise(rng, image, rng.uniform(*cfg.noise_sigma))
    return render.encode_jpeg(image, int(rng.integers(cfg.jpeg_quality[0], cfg.jpeg_quality[1] + 1)))


def make_rec_sample(
    rng: np.random.Generator, lines: LineSampler, cfg: SynthConfig, image: str
) -> tuple[bytes, RecSample]:
    """One cropped text-line image (JPEG bytes, to be saved as ``image``) and its label."""
    text = lines.line()
    style = _style(rng, cfg)
    mask = _text_mask(rng, text, int(rng.integers(cfg.rec_font_px[0], cfg.rec_font_px[1] + 1)), cfg)
    h_ink = mask.ink_height
    center = mask.quad.mean(axis=0)
    turned = render.rotation(rng.uniform(-cfg.rec_max_rotation, cfg.rec_max_rotation), center)
    h = render.corner_jitter(rng, render.transform(turned, mask.quad), cfg.rec_perspective * h_ink) @ turned
    quad = render.transform(h, mask.quad)
    left, top, right, bottom = (rng.uniform(*cfg.rec_margin) * h_ink for _ in range(4))
    x0, y0 = quad.min(axis=0)
    x1, y1 = quad.max(axis=0)
    width, height = int(np.ceil(x1 - x0 + left + right)), int(np.ceil(y1 - y0 + top + bottom))
    canvas = render.background(rng, width, height, style.band, cfg.backgrounds)
    render.paint(canvas, mask, render.translation(left - x0, top - y0) @ h, render.random_color(rng, style.ink_band))
    return _degrade(rng, canvas, cfg), RecSample(image=image, text=text)


def make_det_sample(
    rng: np.random.Generator, lines: LineSampler, cfg: SynthConfig, image: str
) -> tuple[bytes, DetSample]:
    """One scene (JPEG bytes, to be saved as ``image``) and the quad + text of every line in it."""
    (w_lo, h_lo), (w_hi, h_hi) = cfg.det_size
    width, height = int(rng.integers(w_lo, w_hi + 1)), int(rng.integers(h_lo, h_hi + 1))
    style = _style(rng, cfg)
    canvas = render.background(rng, width, height, style.band, cfg.backgrounds)
    frame = np.array([[0, 0], [width, 0], [width, height], [0, height]], np.float64)
    camera = render.corner_jitter(rng, frame, cfg.det_perspective * min(width, height))
    wanted = int(rng.integers(cfg.det_lines[0], cfg.det_lines[1] + 1))
    regions: list[DetRegion] = []
    placed: list[Polygon] = []
    for _ in range(wanted * 25):  # attempts; a crowded scene may end with fewer lines
        if len(regions) == wanted:
            break
        text = lines.line()
        mask = _text_mask(rng, text, int(rng.integers(cfg.det_font_px[0], cfg.det_font_px[1] + 1)), cfg)
        center = mask.quad.mean(axis=0)
        target = rng.uniform([0, 0], [width, height])
        turn = render.rotation(rng.uniform(-cfg.det_max_rotation, cfg.det_max_rotation), np.zeros(2))
        h = camera @ render.translation(*target) @ turn @ render.translation(*-center)
        quad = render.transform(h, mask.quad)
        poly = Polygon(quad)
        gap = max(8.0, 0.6 * mask.ink_height)  # closer lines merge under DB, as they would in print
        inside = quad.min() >= 2 and (quad[:, 0] <= width - 2).all() and (quad[:, 1] <= height - 2).all()
        if not inside or not poly.is_valid or any(poly.distance(p) < gap for p in placed):
            continue
        render.paint(canvas, mask, h, render.random_color(rng, style.ink_band))
        placed.append(poly)
        regions.append(DetRegion(text=text, points=tuple((float(round(x)), float(round(y))) for x, y in quad)))
    return _degrade(rng, canvas, cfg), DetSample(image=image, regions=tuple(regions))


#: rendering styles: ``train`` for every training set; ``heldout`` for evaluation only, with
#: fonts and backgrounds no training set is rendered with (the same difficulty otherwise)
STYLES = {"train": SynthConfig(), "heldout": SynthConfig(fonts="heldout", backgrounds=("ruled", "tiles"))}


def style_config(style: str) -> SynthConfig:
    try:
        return STYLES[style]
    except KeyError:
        raise InputError(f"unknown synthesis style {style!r} (expected one of {', '.join(STYLES)})") from None


_MAKERS: dict[str, Callable[..., tuple[bytes, RecSample | DetSample]]] = {
    "rec": make_rec_sample,
    "det": make_det_sample,
}


def synthesize(kind: str, out: str | os.PathLike, count: int, seed: int = 0, *, force: bool = False,
               config: SynthConfig = SynthConfig()) -> Path:
    """Write ``count`` ``kind`` (``rec``/``det``) samples to ``out`` as ``images/`` + ``labels.txt``.

    The folder appears whole or not at all; an existing non-empty ``out`` is replaced only
    with ``force``. Returns ``out``.
    """
    if kind not in _MAKERS:
        raise InputError(f"unknown sample kind {kind!r} (expected one of {', '.join(_MAKERS)})")
    if count < 1:
        raise InputError(f"count must be at least 1, not {count}")
    if seed < 0:
        raise InputError(f"seed must be zero or positive, not {seed}")
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())) and not force:
        raise InputError(f"{out}: already exists and is not empty (pass --force to replace it)")
    check_fonts(config.fonts)
    allowed = load_charset().allowed()
    make = _MAKERS[kind]
    with atomic_dir(out, replace=True) as tmp:
        (tmp / IMAGE_DIR).mkdir()
        samples = []
        for i in tqdm(range(count), desc=f"synth {kind}", unit="img"):
            rng = np.random.default_rng([seed, i])
            data, sample = make(rng, LineSampler(rng, allowed), config, f"{IMAGE_DIR}/{i:06d}.jpg")
            (tmp / sample.image).write_bytes(data)
            samples.append(sample)
        write_labels(tmp / LABEL_FILE, samples)
        write_json(tmp / MANIFEST, {"kind": kind, "count": count, "seed": seed, "edgeocr": __version__,
                                     "config": config.to_json()})
    return out


def synth_rec(out: str | os.PathLike, count: int, seed: int = 0, **kwargs) -> Path:
    """``synthesize("rec", ...)``: cropped single-line images and their text."""
    return synthesize("rec", out, count, seed, **kwargs)


def synth_det(out: str | os.PathLike, count: int, seed: int = 0, **kwargs) -> Path:
    """``synthesize("det", ...)``: scenes of several lines and their quadrilaterals."""
    return synthesize("det", out, count, seed, **kwargs)
