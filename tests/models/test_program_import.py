"""The proof that edgeocr's PP-OCRv3/v4 dygraph models ARE the released models: filled from the
released Paddle programs at pull, on real rendered text they compute what Paddle Inference
computes running the released files, and the recogniser reads the text."""

from __future__ import annotations

import json

import numpy as np
import paddle
import pytest

from edgeocr.errors import ModelError
from edgeocr.models.architectures import architecture, architecture_of
from edgeocr.models.charset import load_charset
from edgeocr.models.checkpoint import load_checkpoint
from edgeocr.models.modelset import CHECKPOINT
from edgeocr.models.program_import import load_program_weights, load_released
from edgeocr.ocr.backends.paddle_infer import PaddleInferenceBackend
from tests.models.test_weight_equivalence import LINES, _det_input, _line_input

FAMILIES = ["ppocrv3", "ppocrv4"]
TOLERANCE = {"rec": 1e-4, "det": 1e-3, "cls": 1e-4}


def _inputs(task: str) -> list[np.ndarray]:
    if task == "det":
        return [_det_input()]
    shape = (48, 320) if task == "rec" else (48, 192)
    return [_line_input(t, *shape) for t in LINES]


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("task", ["det", "cls", "rec"])
def test_pulled_checkpoint_matches_paddle_inference_on_the_release(family, task, family_set) -> None:
    models = family_set(family)
    model = load_checkpoint(task, models.location(task) / CHECKPOINT)
    assert architecture_of(model).family == (family if task != "cls" else "ppocrv2")  # found from its keys
    backend = PaddleInferenceBackend(models, threads=1)
    for x in _inputs(task):
        with paddle.no_grad():
            ours = model(paddle.to_tensor(x)).numpy()
        ref = backend.infer(task, x)
        diff = float(np.abs(ours - ref).max())
        print(f"{family} {task}: max |dygraph - Paddle Inference| = {diff:.2e}")
        assert ours.shape == ref.shape and diff < TOLERANCE[task]
        if task == "det":
            assert ((ours > 0.3) != (ref > 0.3)).mean() < 1e-4 and ref.max() > 0.9
        else:
            assert (ours.argmax(-1) == ref.argmax(-1)).all()
    recorded = json.loads((models.location(task) / "manifest.json").read_text())["trainable"]
    assert recorded["max_abs_diff_vs_release"] < 1e-4 and recorded["weights_mapped"] > 100


@pytest.mark.parametrize("family", FAMILIES)
def test_rec_reads_the_text_at_48_pixels(family, family_set) -> None:
    models = family_set(family)
    classes = load_charset(models.dict_path).classes
    model = load_checkpoint("rec", models.rec / CHECKPOINT)
    read = 0
    for text in LINES:
        ids = model(paddle.to_tensor(_line_input(text, 48, 320))).numpy()[0].argmax(-1)
        read += "".join(classes[i] for j, i in enumerate(ids) if i != 0 and (j == 0 or i != ids[j - 1])) == text
    assert read >= len(LINES) - 1  # the released model itself misreads at most one of these lines


def test_another_familys_program_is_refused(family_set) -> None:
    """Filling the v3 recogniser from the v4 program fails by name instead of loading nonsense."""
    folder = family_set("ppocrv4").rec
    with pytest.raises(ModelError, match="not the same network"):
        load_program_weights("rec", architecture("ppocrv3", "rec").build(), folder, load_released(folder))


def test_unfolded_paddleocr_checkpoint_is_explained(tmp_path) -> None:
    """PaddleOCR's own v4 training checkpoints keep the re-parameterised branches; the error says
    to export them instead of failing on a key list."""
    state = {k: v for k, v in architecture("ppocrv4", "rec").build().state_dict().items()}
    state["backbone.blocks2.0.dw_conv.conv_kxk.0.conv.weight"] = state.pop("backbone.blocks2.0.dw_conv.conv.weight")
    path = tmp_path / "best_accuracy.pdparams"
    paddle.save(state, str(path))
    with pytest.raises(ModelError, match="closest is ppocrv4.*tools/export_model.py"):
        load_checkpoint("rec", path)
