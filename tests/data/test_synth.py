"""Synthetic data: byte-identical for a seed, valid labels, and det polygons that really
hold the rendered text."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import cv2
import numpy as np
import pytest
from shapely.geometry import Polygon

from edgeocr.data import synth
from edgeocr.data.corpus import LineSampler
from edgeocr.data.labels import read_labels
from edgeocr.data.synth import SynthConfig, make_det_sample, synth_det, synth_rec
from edgeocr.errors import InputError
from edgeocr.models.charset import load_charset

ALLOWED = load_charset().allowed()


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("make", [synth_rec, synth_det])
def test_same_seed_same_bytes(tmp_path: Path, make) -> None:
    first = _files(make(tmp_path / "a", 4, seed=11))
    assert first == _files(make(tmp_path / "b", 4, seed=11))
    assert first != _files(make(tmp_path / "c", 4, seed=12))
    # sample i depends only on (seed, i): a longer run starts with the same images
    longer = _files(make(tmp_path / "d", 5, seed=11))
    assert all(longer[name] == data for name, data in first.items() if name.startswith("images/"))


def test_rec_samples(tmp_path: Path) -> None:
    out = synth_rec(tmp_path / "rec", 30, seed=3)
    label_set = read_labels(out / "labels.txt", "rec", allowed_chars=ALLOWED)
    assert len(label_set.samples) == 30
    heights = []
    for sample in label_set.samples:
        image = cv2.imread(str(label_set.image_path(sample)))
        heights.append(image.shape[0])
    assert 24 <= min(heights) and max(heights) <= 80  # ~32-64 px lines, as PaddleOCR crops them
    assert len({s.text for s in label_set.samples}) > 20
    assert any(not s.text.isascii() for s in label_set.samples) and any(s.text.isascii() for s in label_set.samples)


def test_det_samples_are_valid_scenes(tmp_path: Path) -> None:
    out = synth_det(tmp_path / "det", 6, seed=5)
    label_set = read_labels(out / "labels.txt", "det", allowed_chars=ALLOWED)
    for sample in label_set.samples:
        height, width = cv2.imread(str(label_set.image_path(sample))).shape[:2]
        assert 640 <= width <= 960 and 480 <= height <= 720
        assert 2 <= len(sample.regions) <= 8
        polys = [Polygon(r.points) for r in sample.regions]
        assert all(p.is_valid and p.area > 200 for p in polys)
        for r in sample.regions:
            xs, ys = zip(*r.points)
            assert min(xs) >= 0 and max(xs) <= width and min(ys) >= 0 and max(ys) <= height
        for i, a in enumerate(polys):
            assert all(not a.intersects(b) for b in polys[i + 1:])


def test_det_polygons_enclose_the_ink() -> None:
    """On flat, noise-free scenes every pixel that differs from the background lies in a
    ground-truth polygon (give or take antialiasing), and every polygon holds text."""
    clean = dataclasses.replace(SynthConfig(), backgrounds=("flat",), blur_prob=0.0, noise_prob=0.0,
                                jpeg_quality=(100, 100))
    for i in range(4):
        rng = np.random.default_rng([21, i])
        data, sample = make_det_sample(rng, LineSampler(rng, ALLOWED), clean, "x.jpg")
        image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR).astype(np.int16)
        background = np.median(image.reshape(-1, 3), axis=0)
        ink = np.abs(image - background).max(axis=2) > 60
        inside = np.zeros(ink.shape, np.uint8)
        for region in sample.regions:
            quad = np.array(region.points, np.float32)
            region_mask = np.zeros(ink.shape, np.uint8)
            cv2.fillPoly(region_mask, [np.rint(quad).astype(np.int32)], 1)
            in_region = ink[region_mask > 0]
            assert in_region.mean() > 0.08, region.text  # the polygon is not empty
            inside |= region_mask
        inside = cv2.dilate(inside, np.ones((3, 3), np.uint8))  # rounding of the written points
        assert ink.sum() > 500
        assert (ink & (inside == 0)).sum() <= 0.002 * ink.sum()


def test_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()  # an empty folder is fine
    synth_rec(out, 2, seed=0)
    (out / "keep.txt").write_text("mine")
    with pytest.raises(InputError, match="already exists and is not empty"):
        synth_rec(out, 2, seed=1)
    assert (out / "keep.txt").exists()
    synth_rec(out, 3, seed=1, force=True)
    assert not (out / "keep.txt").exists() and len(list((out / "images").iterdir())) == 3


def test_interrupted_run_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []

    def failing(rng, lines, cfg, image):
        calls.append(image)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return b"jpeg", synth.RecSample(image=image, text="x")

    monkeypatch.setitem(synth._MAKERS, "rec", failing)
    with pytest.raises(KeyboardInterrupt):
        synth_rec(tmp_path / "out", 3)
    assert list(tmp_path.iterdir()) == []


def test_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="at least 1"):
        synth_rec(tmp_path / "x", 0)
    with pytest.raises(InputError, match="seed must be"):
        synth_rec(tmp_path / "x", 1, seed=-1)
    with pytest.raises(InputError, match="unknown sample kind"):
        synth.synthesize("e2e", tmp_path / "x", 1)


def test_the_held_out_style_renders_with_faces_and_grounds_training_never_uses(tmp_path: Path,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from edgeocr.data import fonts, render
    from edgeocr.data.synth import STYLES, style_config

    train, heldout = STYLES["train"], style_config("heldout")
    assert not set(train.backgrounds) & set(heldout.backgrounds)
    used_fonts, used_grounds = set(), set()
    real_load, real_background = fonts.load_font, render.background

    def spy_font(spec, size):
        used_fonts.add(spec.path)
        return real_load(spec, size)

    def spy_background(rng, width, height, band, kinds):
        used_grounds.update(kinds)
        return real_background(rng, width, height, band, kinds)

    monkeypatch.setattr(synth, "load_font", spy_font)
    monkeypatch.setattr(synth.render, "background", spy_background)
    out = synth.synthesize("rec", tmp_path / "h", 12, seed=4, config=heldout)
    assert used_fonts and used_fonts <= {f.path for f in fonts.FONT_SETS["heldout"]}
    assert used_grounds == {"ruled", "tiles"}
    assert len(read_labels(out / "labels.txt", "rec", allowed_chars=ALLOWED).samples) == 12
    plain = synth.synthesize("rec", tmp_path / "t", 12, seed=4)
    assert _files(out / "images") != _files(plain / "images")  # same texts, other pixels
    with pytest.raises(InputError, match="unknown synthesis style 'photo'"):
        style_config("photo")


@pytest.mark.parametrize("kind", ["ruled", "tiles"])
def test_held_out_backgrounds_keep_their_luminance_band(kind: str) -> None:
    from edgeocr.data import render

    for seed in range(5):
        img = render.background(np.random.default_rng(seed), 200, 90, render.LIGHT, (kind,))
        luma = img @ np.array([0.299, 0.587, 0.114])
        assert img.shape == (90, 200, 3) and luma.min() >= render.LIGHT[0] - 1e-6
        assert len(np.unique(img.reshape(-1, 3), axis=0)) >= 2  # a pattern, not a flat colour
