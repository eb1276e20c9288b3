"""The C++ core's building blocks against what the Python pipeline calls (OpenCV, pyclipper,
shapely, numpy and edgeocr.ocr itself) on generated inputs: exact equality where the Python
result is exact (contours, hulls, rectangles, masks, polygons, boxes, sizes), measured
closeness where the C++ side only approximates OpenCV's pixel arithmetic (resize, warp).

Inputs come from fixed seeds, so a failure reproduces; each test checks hundreds of cases
through one probe call."""

from __future__ import annotations

import cv2
import numpy as np
import pyclipper
import pytest
from shapely.geometry import Polygon

from edgeocr.ocr.geometry import get_rotate_crop_image, order_points_clockwise
from edgeocr.ocr.postprocess.db import DBPostProcess, box_score_fast, get_mini_boxes
from edgeocr.ocr.preprocess import DetResizeForTest
from tests.native.conftest import probe


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


def test_resize_is_within_one_level_of_opencv(native_build):
    rng = np.random.default_rng(9)
    cases, expected = [], []
    for _ in range(40):
        h, w = int(rng.integers(8, 120)), int(rng.integers(8, 120))
        image = text_like_image(rng, h, w)
        size = (int(rng.integers(4, 200)), int(rng.integers(4, 200)))  # (width, height)
        cases.append({"image": {"width": w, "height": h, "pixels": image.ravel().tolist()}, "width": size[0], "height": size[1]})
        expected.append(cv2.resize(image, size))
    diffs = []
    for exp, got in zip(expected, probe(native_build, "resize", cases)):
        pixels = np.array(got["pixels"], np.int16).reshape(exp.shape)
        diffs.append(np.abs(pixels - exp.astype(np.int16)))
    all_diffs = np.concatenate([d.ravel() for d in diffs])
    assert all_diffs.max() <= 1
    assert (all_diffs == 0).mean() > 0.99


def test_rotated_crop_is_close_to_opencv(native_build):
    rng = np.random.default_rng(10)
    cases, expected = [], []
    for _ in range(40):
        image = text_like_image(rng, 120, 160)
        rect = ((float(rng.uniform(40, 120)), float(rng.uniform(30, 90))), (float(rng.uniform(20, 80)), float(rng.uniform(8, 40))),
                float(rng.uniform(-40, 40)))
        box = order_points_clockwise(np.round(cv2.boxPoints(rect)))
        cases.append({"image": {"width": 160, "height": 120, "pixels": image.ravel().tolist()}, "box": box.tolist()})
        expected.append(get_rotate_crop_image(image, box))
    mean_diffs = []
    for exp, got in zip(expected, probe(native_build, "crop", cases)):
        assert (got["height"], got["width"]) == exp.shape[:2]  # same crop size and turn, always
        pixels = np.array(got["pixels"], np.int16).reshape(exp.shape)
        mean_diffs.append(np.abs(pixels - exp.astype(np.int16)).mean())
    assert max(mean_diffs) < 1.0
