"""The C++ core's building blocks against what the Python pipeline calls (OpenCV, pyclipper,
shapely, numpy and edgeocr.ocr itself) on generated inputs, always to exact equality: shapes
(contours, hulls, rectangles, masks, polygons, boxes, sizes) and for the pixels too: the det
and line resizes and the perspective crop equal OpenCV's to the last bit, natively and on the
aarch64 build under qemu.

Inputs come from fixed seeds, so a failure reproduces; each test checks hundreds of cases
through one probe call."""

from __future__ import annotations

import json
import math
import subprocess

import cv2
import numpy as np
import pyclipper
import pytest
from shapely.geometry import Polygon

from edgeocr.ocr.geometry import VERTICAL_RATIO, get_rotate_crop_image, order_points_clockwise
from edgeocr.ocr.postprocess.db import DBPostProcess, box_score_fast, get_mini_boxes
from edgeocr.ocr.preprocess import DetResizeForTest
from tests.native.conftest import probe, qemu_env


def random_bitmap(rng: np.random.Generator) -> np.ndarray:
    """Blobs, holes, thin strokes and regions touching the border."""
    h, w = int(rng.integers(8, 64)), int(rng.integers(8, 64))
    bitmap = np.zeros((h, w), np.uint8)
    for _ in range(int(rng.integers(1, 6))):
        center = (int(rng.integers(-5, w + 5)), int(rng.integers(-5, h + 5)))
        axes = (int(rng.integers(1, 20)), int(rng.integers(1, 12)))
        cv2.ellipse(bitmap, center, axes, float(rng.uniform(0, 180)), 0, 360, 1, -1)
    for _ in range(int(rng.integers(0, 3))):
        x, y = int(rng.integers(0, w)), int(rng.integers(0, h))
        cv2.line(bitmap, (x, y), (int(rng.integers(0, w)), int(rng.integers(0, h))), 0, int(rng.integers(1, 3)))
    bitmap |= (rng.random((h, w)) < 0.03).astype(np.uint8)
    return bitmap


def random_points(rng: np.random.Generator) -> np.ndarray:
    n = int(rng.integers(1, 40))
    spread = int(rng.choice([3, 20, 200]))
    return rng.integers(0, spread, size=(n, 2)).astype(np.int32)


@pytest.fixture(scope="module")
def bitmaps() -> list[np.ndarray]:
    rng = np.random.default_rng(1)
    return [random_bitmap(rng) for _ in range(300)]


def test_contours_match_opencv(native_build, bitmaps):
    cases = [{"width": b.shape[1], "height": b.shape[0], "bitmap": b.ravel().tolist()} for b in bitmaps]
    got = probe(native_build, "contours", cases)
    for bitmap, contours in zip(bitmaps, got):
        expected, _ = cv2.findContours(bitmap * 255, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
        assert contours == [c.reshape(-1, 2).tolist() for c in expected]
    assert sum(len(c) for c in got) > 1000  # the cases do exercise many contours


def test_hull_rect_and_mini_box_match_opencv(native_build, bitmaps):
    rng = np.random.default_rng(2)
    point_sets = [random_points(rng) for _ in range(400)]
    for b in bitmaps[:100]:
        contours, _ = cv2.findContours(b * 255, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
        point_sets += [c.reshape(-1, 2) for c in contours]
    cases = [{"points": p.tolist()} for p in point_sets]
    hulls = {cw: probe(native_build, "hull", [{**c, "clockwise": cw} for c in cases]) for cw in (True, False)}
    rects = probe(native_build, "min_area_rect", cases)
    minis = probe(native_build, "mini_box", cases)
    for i, (points, rect, mini) in enumerate(zip(point_sets, rects, minis)):
        for cw in (True, False):
            assert hulls[cw][i] == cv2.convexHull(points.reshape(-1, 1, 2), clockwise=cw).reshape(-1, 2).tolist()
        (cx, cy), (w, h), angle = cv2.minAreaRect(points.reshape(-1, 1, 2))
        assert rect["center"] == [cx, cy] and rect["size"] == [w, h] and rect["angle"] == angle
        assert rect["box"] == cv2.boxPoints(((cx, cy), (w, h), angle)).tolist()
        box, short_side = get_mini_boxes(points.reshape(-1, 1, 2))
        assert mini["box"] == box.tolist() and mini["short_side"] == short_side


def test_fill_poly_matches_opencv(native_build):
    rng = np.random.default_rng(3)
    cases = []
    for _ in range(400):
        w, h = int(rng.integers(1, 40)), int(rng.integers(1, 40))
        n = int(rng.integers(3, 9))
        points = np.stack([rng.integers(-8, w + 8, n), rng.integers(-8, h + 8, n)], axis=1).astype(np.int32)
        cases.append({"width": w, "height": h, "points": points.tolist()})
    for case, mask in zip(cases, probe(native_build, "fill_poly", cases)):
        expected = np.zeros((case["height"], case["width"]), np.uint8)
        cv2.fillPoly(expected, np.array(case["points"], np.int32).reshape(1, -1, 2), 1)
        assert mask == expected.ravel().tolist(), case


def test_box_score_matches_python(native_build):
    rng = np.random.default_rng(4)
    cases, expected = [], []
    for _ in range(300):
        h, w = int(rng.integers(4, 40)), int(rng.integers(4, 40))
        prob = rng.random((h, w), dtype=np.float32)
        box = (rng.random((4, 2)) * [w + 6, h + 6] - 3).astype(np.float32)
        cases.append({"height": h, "width": w, "prob": prob.ravel().tolist(), "polygon": box.tolist()})
        expected.append(box_score_fast(prob, box))
    got = probe(native_build, "box_score", cases)
    assert got == expected


def test_unclip_matches_shapely_and_pyclipper(native_build):
    rng = np.random.default_rng(5)
    boxes = []
    for _ in range(500):
        points = rng.integers(0, int(rng.choice([8, 60, 900])), size=(int(rng.integers(3, 30)), 2)).astype(np.int32)
        box, _ = get_mini_boxes(points.reshape(-1, 1, 2))
        boxes.append(box)
    ratio = 1.5
    got = probe(native_build, "unclip", [{"box": b.tolist(), "ratio": ratio} for b in boxes])
    for box, result in zip(boxes, got):
        poly = Polygon(box)
        assert (result["area"], result["length"]) == (poly.area, poly.length)
        if poly.length == 0:
            continue  # a degenerate box: Python divides by zero here and DB never gets one
        offset = pyclipper.PyclipperOffset()
        offset.AddPath(box.tolist(), pyclipper.JT_ROUND, pyclipper.ET_CLOSEDPOLYGON)
        assert result["paths"] == offset.Execute(poly.area * ratio / poly.length)


def synthetic_prob_map(rng: np.random.Generator) -> np.ndarray:
    """DB-like probabilities: blurred, rotated text-line bars plus noise."""
    h, w = int(rng.integers(32, 160)), int(rng.integers(32, 160))
    canvas = np.zeros((h, w), np.float32)
    for _ in range(int(rng.integers(1, 8))):
        rect = ((float(rng.uniform(0, w)), float(rng.uniform(0, h))),
                (float(rng.uniform(6, w)), float(rng.uniform(5, 24))), float(rng.uniform(-30, 30)))
        cv2.fillPoly(canvas, [cv2.boxPoints(rect).astype(np.int32)], float(rng.uniform(0.75, 1.0)))
    canvas = cv2.GaussianBlur(canvas, (5, 5), float(rng.uniform(0.5, 1.5)))
    return np.clip(canvas + rng.normal(0, 0.05, canvas.shape).astype(np.float32), 0, 1).astype(np.float32)


@pytest.mark.parametrize("score_mode,use_dilation", [("fast", False), ("slow", False), ("fast", True)])
def test_db_postprocess_matches_python(native_build, score_mode, use_dilation):
    rng = np.random.default_rng(6)
    maps = [synthetic_prob_map(rng) for _ in range(80)]
    params = {"thresh": 0.3, "box_thresh": 0.6, "unclip_ratio": 1.5, "max_candidates": 1000,
              "use_dilation": use_dilation, "score_mode": score_mode}
    post = DBPostProcess(**{k: v for k, v in params.items() if k != "score_mode"}, score_mode=score_mode)
    cases, expected = [], []
    for m in maps:
        src = (int(m.shape[0] * rng.uniform(0.5, 4)), int(m.shape[1] * rng.uniform(0.5, 4)))
        cases.append({"height": m.shape[0], "width": m.shape[1], "src_height": src[0], "src_width": src[1],
                      "prob": m.ravel().tolist(), **params})
        expected.append(post(m, src))
    got = probe(native_build, "db", cases)
    total = 0
    for (boxes, scores), result in zip(expected, got):
        assert [r["points"] for r in result] == boxes.tolist()
        assert [r["score"] for r in result] == scores
        total += len(boxes)
    assert total > 50  # the maps do produce boxes to compare


def test_det_target_size_and_point_order_match_python(native_build):
    rng = np.random.default_rng(7)
    sizes = [(int(h), int(w)) for h, w in rng.integers(1, 4000, size=(400, 2))]
    for limit_type in ("max", "min"):
        limit = 960 if limit_type == "max" else 736
        got = probe(native_build, "det_target_size",
                    [{"height": h, "width": w, "limit": limit, "limit_type": limit_type} for h, w in sizes])
        assert got == [list(DetResizeForTest(limit, limit_type).target_size(h, w)) for h, w in sizes]
    quads = [rng.integers(0, 50, size=(4, 2)).astype(np.float32) for _ in range(300)]
    got = probe(native_build, "order_points", [{"points": q.tolist()} for q in quads])
    assert got == [order_points_clockwise(q).tolist() for q in quads]


def test_numpy_mean(native_build):
    rng = np.random.default_rng(8)
    values = [rng.random(int(n), dtype=np.float32) for n in rng.integers(1, 400, 300)]
    got = probe(native_build, "mean", [{"values": v.tolist()} for v in values])
    assert got == [float(np.mean(v)) for v in values]


def text_like_image(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    image = np.full((h, w, 3), rng.integers(150, 255, 3), np.uint8)
    for _ in range(6):
        cv2.putText(image, "Ab3", (int(rng.integers(0, w)), int(rng.integers(0, h))), cv2.FONT_HERSHEY_SIMPLEX,
                    float(rng.uniform(0.4, 2)), [int(v) for v in rng.integers(0, 120, 3)], int(rng.integers(1, 3)))
    return image


def pixel_image(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    """Text, noise, or hard 0/255 edges over a gradient: every rounding path of the pixel
    arithmetic gets exercised, saturation at both ends included."""
    kind = int(rng.integers(3))
    if kind == 0:
        return text_like_image(rng, h, w)
    if kind == 1:
        return rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
    ramp = np.linspace(0, 255, w)[None, :, None] * rng.random(3) + np.linspace(0, 255, h)[:, None, None] * rng.random(3)
    image = np.clip(ramp * 0.5 + rng.normal(0, 8, (h, w, 3)), 0, 255).astype(np.uint8)
    for _ in range(int(rng.integers(1, 6))):
        x, y = int(rng.integers(0, w)), int(rng.integers(0, h))
        image[y:y + int(rng.integers(1, h + 1)), x:x + int(rng.integers(1, w + 1))] = rng.choice([0, 255], 3)
    return image


def image_case(image: np.ndarray) -> dict:
    return {"width": image.shape[1], "height": image.shape[0], "pixels": image.ravel().tolist()}


@pytest.fixture(params=["native", "aarch64"])
def pixel_probe(request):
    """Runs a probe op on the native build, or on the aarch64 build under qemu (ARM float
    arithmetic and libm: what the phones and boards run)."""
    if request.param == "native":
        build = request.getfixturevalue("native_build")
        return lambda op, cases: probe(build, op, cases)
    build = request.getfixturevalue("cross_build")

    def run(op: str, cases: list) -> list:
        proc = subprocess.run(["qemu-aarch64-static", str(build / "tests" / "edgeocr_core_probe")],
                              input=json.dumps({"op": op, "cases": cases}), capture_output=True, text=True, timeout=600,
                              env=qemu_env())
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout)["results"]
    return run


def resize_sizes(rng: np.random.Generator, i: int) -> tuple[int, int, int, int]:
    """(src h, src w, dst h, dst w): up and down, odd and 1-pixel sizes, exact 2x both ways
    (OpenCV's area shortcut), tiny and huge factors, and the pipeline's det and line sizes."""
    kind = i % 8
    if kind == 0:
        h, w = rng.integers(1, 64, 2)
        return int(h), int(w), int(rng.integers(1, 160)), int(rng.integers(1, 160))
    if kind == 1:
        h, w = rng.integers(1, 12, 2)
        return int(h), int(w), int(rng.integers(1, 12)), int(rng.integers(1, 12))
    if kind == 2:
        h, w = (int(v) for v in rng.integers(1, 48, 2))
        return (h, w, 2 * h, 2 * w) if rng.random() < 0.5 else (2 * h, 2 * w, h, w)
    if kind == 3:
        h, w = (int(v) for v in rng.integers(1, 4, 2))
        return h, w, int(rng.integers(60, 180)), int(rng.integers(60, 180))
    if kind == 4:
        h, w = (int(v) for v in rng.integers(60, 200, 2))
        return h, w, int(rng.integers(1, 4)), int(rng.integers(1, 4))
    if kind == 5:
        h, w = (int(v) for v in rng.integers(1, 64, 2))
        return (h, w, h, int(rng.integers(1, 100))) if rng.random() < 0.5 else (h, w, int(rng.integers(1, 100)), w)
    if kind == 6:  # DetResizeForTest
        h, w = (int(v) for v in rng.integers(40, 200, 2))
        limit_type = "max" if rng.random() < 0.5 else "min"
        dh, dw = DetResizeForTest(int(rng.integers(64, 160)), limit_type).target_size(h, w)
        return h, w, dh, dw
    h, w = (int(v) for v in rng.integers(4, 80, 2))  # resize_norm_line: cls 48, rec 32 high
    height = 48 if rng.random() < 0.5 else 32
    return h, w, height, min(int(rng.integers(100, 321)), int(math.ceil(height * (w / float(h)))))


def test_resize_matches_opencv_exactly(pixel_probe):
    rng = np.random.default_rng(9)
    cases, expected = [], []
    for i in range(480):
        h, w, dh, dw = resize_sizes(rng, i)
        image = pixel_image(rng, h, w)
        cases.append({"image": image_case(image), "width": dw, "height": dh})
        expected.append(cv2.resize(image, (dw, dh)))
    got = pixel_probe("resize", cases)
    for case, exp, result in zip(cases, expected, got):
        pixels = np.array(result["pixels"], np.uint8).reshape(exp.shape)
        assert np.array_equal(pixels, exp), (case["image"]["height"], case["image"]["width"], exp.shape)


def crop_box(rng: np.random.Generator, i: int, h: int, w: int) -> np.ndarray:
    """Boxes as the pipeline cuts them (whole pixels, clipped) and worse: rotated, tall
    (turned), perspective, nearly axis-aligned with an off-by-one corner (ties on OpenCV's
    1/32-pixel grid), partly outside the image, fractional."""
    kind = i % 6
    if kind in (0, 1):
        size = (float(rng.uniform(8, w)), float(rng.uniform(6, 40)))
        rect = ((float(rng.uniform(0, w)), float(rng.uniform(0, h))), size[::-1] if kind else size, float(rng.uniform(-45, 45)))
        box = np.round(cv2.boxPoints(rect))
        box[:, 0] = np.clip(box[:, 0], 0, w - 1)
        box[:, 1] = np.clip(box[:, 1], 0, h - 1)
    elif kind == 2:
        box = rng.integers(0, [w, h], size=(4, 2)).astype(np.float32)
    elif kind == 3:
        x, y = int(rng.integers(0, w - 8)), int(rng.integers(0, h - 6))
        bw, bh = int(rng.integers(4, w - x + 1)), int(rng.integers(4, h - y + 1))
        dx, dy = (int(v) for v in rng.integers(-1, 2, 2))
        box = np.float32([[x, y], [x + bw, y], [x + bw + dx, y + bh], [x, y + bh + dy]])
    elif kind == 4:
        box = np.round(rng.random((4, 2)) * [w * 1.6, h * 1.6] - [w * 0.3, h * 0.3]).astype(np.float32)
    else:
        box = (rng.random((4, 2)) * [w * 1.4, h * 1.4] - [w * 0.2, h * 0.2]).astype(np.float32)
    return order_points_clockwise(box.astype(np.float32))


def test_rotated_crop_matches_opencv_exactly(pixel_probe):
    rng = np.random.default_rng(10)
    cases, expected, tall = [], [], 0
    while len(cases) < 420:
        h, w = int(rng.integers(16, 100)), int(rng.integers(16, 160))
        image = pixel_image(rng, h, w)
        box = crop_box(rng, len(cases), h, w)
        if min(np.linalg.norm(box[0] - box[1]), np.linalg.norm(box[0] - box[3])) < 1:
            continue  # a zero-size crop: Python warps the whole image then, the pipeline never asks
        cases.append({"image": image_case(image), "box": box.tolist()})
        expected.append(get_rotate_crop_image(image, box))
        tall += np.linalg.norm(box[0] - box[3]) >= VERTICAL_RATIO * np.linalg.norm(box[0] - box[1])
    got = pixel_probe("crop", cases)
    for case, exp, result in zip(cases, expected, got):
        assert (result["height"], result["width"]) == exp.shape[:2], case["box"]  # same crop size and turn
        assert np.array_equal(np.array(result["pixels"], np.uint8).reshape(exp.shape), exp), case["box"]
    assert tall > 30  # tall boxes, turned after the warp, are among them
