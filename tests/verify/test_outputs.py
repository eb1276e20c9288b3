"""Per-model output agreement and the verdict, on recordings written here: every figure and
every failure sentence is checked against numbers worked out by hand."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from edgeocr.config import OCRConfig
from edgeocr.errors import ModelError
from edgeocr.models.charset import Charset
from edgeocr.verify.outputs import compare_outputs
from edgeocr.ocr.backends.recording import Recording
from edgeocr.verify.verdict import judge


def record(folder: Path, calls: list[tuple[str, str, np.ndarray, np.ndarray]]) -> Recording:
    """A recording in the runner's format: (model, image, input, output) per call."""
    folder.mkdir(parents=True, exist_ok=True)
    entries = []
    for i, (model, image, inp, out) in enumerate(calls):
        inp.astype("<f4").tofile(folder / f"{i}_in.f32")
        out.astype("<f4").tofile(folder / f"{i}_out.f32")
        entries.append({"model": model, "image": image, "input_shape": list(inp.shape), "input": f"{i}_in.f32",
                        "output_shape": list(out.shape), "output": f"{i}_out.f32"})
    (folder / "calls.json").write_text(json.dumps({"runtime_version": "v2.13-rc", "models": ["det", "cls", "rec"],
                                                   "calls": entries}))
    return Recording.load(folder)


def charset() -> Charset:
    return Charset(chars=("a", "b"))  # classes: blank, a, b, space


def test_decisions_and_differences_per_model(tmp_path: Path) -> None:
    x = np.zeros((1, 3, 4, 4), np.float32)
    det_host = np.full((1, 1, 4, 4), 0.1, np.float32)
    det_host[0, 0, 0, :2] = 0.9
    det_arm = det_host.copy()
    det_arm[0, 0, 0, 0] = 0.2           # one mask pixel flips (0.9 -> 0.2 across the 0.3 threshold)
    det_arm[0, 0, 3, 3] = 0.25          # moves, stays below: no flip
    cls_host = np.array([[0.99, 0.01], [0.02, 0.98], [0.05, 0.95]], np.float32)
    cls_arm = np.array([[0.01, 0.99], [0.02, 0.98], [0.15, 0.85]], np.float32)  # turns crop 0; crop 2 falls under 0.9
    onehot = np.eye(4, dtype=np.float32)
    rec_host = onehot[[[1, 0, 2], [2, 2, 0]]]   # "ab", "b"
    rec_arm = onehot[[[1, 0, 2], [2, 0, 2]]]    # "ab", "bb"
    host = {"det": det_host, "cls": cls_host, "rec": rec_host}
    recording = record(tmp_path / "r", [("det", "page.png", x, det_arm), ("cls", "page.png", x, cls_arm),
                                        ("rec", "page.png", x, rec_arm)])
    found = compare_outputs(recording, lambda model, inp: host[model], OCRConfig(), charset())
    det, cls, rec = found["det"].to_json(), found["cls"].to_json(), found["rec"].to_json()
    assert (det["decisions"], det["decisions_differ"]) == (16, 1) and det["max_abs"] == pytest.approx(0.7)
    assert (cls["decisions"], cls["decisions_differ"]) == (3, 2)
    assert cls["first_divergence"] == {"call": 1, "image": "page.png", "differ": 2, "of": 3, "input_shape": [1, 3, 4, 4]}
    assert (rec["decisions"], rec["decisions_differ"]) == (2, 1) and rec["decision_agreement"] == 0.5

    parity = {"text_agreement": 1.0, "box_agreement": 1.0}
    float_verdict = judge(parity, found, {"det": False, "cls": False, "rec": False})
    assert not float_verdict.passed
    assert [f.split(":")[0] for f in float_verdict.failures] == ["det", "cls", "rec"]
    assert float_verdict.failures[1].startswith("cls: 2 of 3 decisions differ from the host (33.33% agree, at least "
                                                "100.0% needed); first at call 1 on image page.png")
    int8 = judge({"text_agreement": 0.985, "box_agreement": 0.5}, {"det": found["det"]}, {"det": True})
    assert int8.failures == ("det: 1 of 16 decisions differ from the host (93.75% agree, at least 99.0% needed); "
                             "first at call 0 on image page.png (max output diff 0.7)",
                             "end to end: 98.50% of lines agree with the host on text (at least 99.00% needed)")


def test_a_rec_line_differing_by_a_space_at_an_end_is_the_same_decision(tmp_path: Path) -> None:
    x = np.zeros((3, 3, 4, 4), np.float32)
    onehot = np.eye(4, dtype=np.float32)
    host = onehot[[[1, 0, 2], [1, 0, 2], [1, 0, 2]]]          # "ab" three times
    arm = onehot[[[1, 2, 3], [3, 1, 2], [1, 3, 2]]]           # "ab ", " ab", "a b"
    recording = record(tmp_path / "r", [("rec", "page.png", x, arm)])
    rec = compare_outputs(recording, lambda model, inp: host, OCRConfig(), charset())["rec"]
    assert (rec.decisions, rec.decisions_differ) == (3, 1)  # only the space inside counts


def test_the_blank_runs_of_model_loading_are_not_compared(tmp_path: Path) -> None:
    x = np.zeros((1, 2), np.float32)
    recording = record(tmp_path / "r", [("cls", None, x, np.array([[0.0, 1.0]], np.float32)),
                                        ("cls", "a.png", x, np.array([[1.0, 0.0]], np.float32))])
    found = compare_outputs(recording, lambda model, inp: np.array([[1.0, 0.0]], np.float32), OCRConfig(), charset())
    assert (found["cls"].calls, found["cls"].decisions_differ) == (1, 0)


def test_identical_outputs_pass(tmp_path: Path) -> None:
    out = np.random.default_rng(0).random((2, 2)).astype(np.float32)
    recording = record(tmp_path / "r", [("cls", "a.png", np.zeros((2, 3, 2, 2), np.float32), out)])
    found = compare_outputs(recording, lambda model, inp: out, OCRConfig(), charset())
    verdict = judge({"text_agreement": 1.0, "box_agreement": 1.0}, found, {"cls": False})
    assert verdict.passed and verdict.failures == () and found["cls"].max_abs == 0.0


def test_a_damaged_recording_names_the_file(tmp_path: Path) -> None:
    recording = record(tmp_path / "r", [("cls", "a", np.zeros((1, 2), np.float32), np.zeros((1, 2), np.float32))])
    (tmp_path / "r" / "0_out.f32").write_bytes(b"\0" * 4)
    with pytest.raises(ModelError, match=r"0_out.f32: holds 1 values, the recording says shape \[1, 2\]"):
        list(recording.calls())


def test_a_stored_record_is_judged_again_by_todays_thresholds(tmp_path: Path) -> None:
    from edgeocr.verify.verdict import judge_record

    out = np.array([[1.0, 0.0]], np.float32)
    recording = record(tmp_path / "r", [("cls", "a.png", np.zeros((1, 2), np.float32), out)])
    found = compare_outputs(recording, lambda model, inp: out, OCRConfig(), charset())
    stored = {"models": {t: a.to_json() for t, a in found.items()}, "quantized": {"cls": True},
              "end_to_end": {"text_agreement": 1.0, "box_agreement": 0.8}}
    assert judge_record(stored).passed  # int8: boxes are reported, not judged
    stored["quantized"] = {"cls": False}
    assert judge_record(stored).failures == ("end to end: 80.00% of lines agree with the host on box (at least "
                                             "100.00% needed)",)
    stored.update(quantized={"cls": True}, end_to_end={"lines": 100, "text_agreement": 0.95, "box_agreement": 1.0},
                  noise_floor={"relative_noise": 1e-5, "runs": 2, "text_agreement": [0.96, 1.0], "lines": 200,
                               "differ": 4, "rate": 0.02})
    assert judge_record(stored).passed  # the stored floor is judged with the figures: 5 of 100 may differ at 2%


def test_binomial_allowance_for_lines_that_differ() -> None:
    from edgeocr.verify.verdict import allowed_differences

    assert allowed_differences(126, 0.0) == 0
    # P(X > 6) = 0.027 and P(X > 7) = 0.0090 for X ~ Binomial(126, 0.023) (scipy.stats.binom.sf)
    assert allowed_differences(126, 0.023) == 7
    assert allowed_differences(10, 1.0) == 10


def test_an_int8_bundle_is_held_to_99_percent_or_to_the_hosts_own_noise_floor() -> None:
    int8, fp32 = {"det": True}, {"det": False}

    def e2e(same: int, lines: int = 126) -> dict:
        return {"lines": lines, "text_agreement": same / lines, "box_agreement": 0.5}

    assert judge(e2e(121), {}, int8, noise_rate=0.023).passed  # 5 differ, 7 allowed
    below = judge(e2e(118), {}, int8, noise_rate=0.023)
    assert below.failures == ("end to end: 93.65% of lines agree with the host on text (at least 94.44% needed; the "
                              "host itself reads 2.30% of lines differently under noise, so at most 7 of 126 may "
                              "differ)",)
    assert below.thresholds["end_to_end"]["text"] == 1 - 7 / 126 and below.thresholds["noise_rate"] == 0.023
    assert judge(e2e(125), {}, int8, noise_rate=0.0).passed  # a stable model: the plain 99% (1 of 126)
    assert not judge(e2e(124), {}, int8, noise_rate=0.0).passed
    assert not judge(e2e(121), {}, int8).passed  # no floor measured: 99%
    assert not judge({**e2e(125), "box_agreement": 1.0}, {}, fp32, noise_rate=0.5).passed  # float: exact
