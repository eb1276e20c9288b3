"""Users' own models: PaddleOCR training checkpoints and inference folders."""

from __future__ import annotations

import numpy as np
import paddle
import pytest

from edgeocr.errors import ModelError
from edgeocr.models.checkpoint import load_checkpoint, read_state
from edgeocr.models.modelset import CHECKPOINT, INFER_MODEL, ModelSet, resolve_model_path


def test_student_prefix_of_distillation_checkpoints_is_taken(pulled_models, tmp_path) -> None:
    state = read_state(pulled_models.cls / CHECKPOINT)
    distill = {f"Student.{k}": v for k, v in state.items()} | {f"Teacher.{k}": v * 0 for k, v in state.items()}
    path = tmp_path / "best_accuracy.pdparams"
    paddle.save(distill, str(path))
    x = paddle.rand([1, 3, 48, 192])
    ref = load_checkpoint("cls", pulled_models.cls / CHECKPOINT)(x).numpy()
    np.testing.assert_allclose(load_checkpoint("cls", path)(x).numpy(), ref, atol=1e-6)


def test_checkpoint_of_another_model_is_refused(pulled_models) -> None:
    with pytest.raises(ModelError, match="not a ppocrv2 / ppocrv3 / ppocrv4 rec checkpoint"):
        load_checkpoint("rec", pulled_models.cls / CHECKPOINT)


def test_truncated_checkpoint_is_refused(pulled_models, tmp_path) -> None:
    bad = tmp_path / "cut.pdparams"
    bad.write_bytes((pulled_models.cls / CHECKPOINT).read_bytes()[:5000])
    with pytest.raises(ModelError, match="cut.pdparams"):
        load_checkpoint("cls", bad)


def test_checkpoint_path_is_exported_once_for_use(pulled_models) -> None:
    first = resolve_model_path("cls", pulled_models.cls / CHECKPOINT)
    assert (first / INFER_MODEL).is_file()
    mtime = (first / INFER_MODEL).stat().st_mtime_ns
    assert resolve_model_path("cls", pulled_models.cls / CHECKPOINT) == first
    assert (first / INFER_MODEL).stat().st_mtime_ns == mtime


def test_model_set_overrides_and_errors(pulled_models, tmp_path) -> None:
    custom = ModelSet.load("ppocrv2", rec=pulled_models.rec)
    assert custom.rec == pulled_models.rec
    with pytest.raises(ModelError, match="not an inference model folder"):
        ModelSet.load("ppocrv2", det=tmp_path)
    with pytest.raises(ModelError, match="is not pulled"):
        ModelSet.load("nothing-here")
    (tmp_path / "det").mkdir()
    (tmp_path / "det" / INFER_MODEL).write_bytes(b"")
    broken = ModelSet.load("ppocrv2", det=tmp_path / "det")
    with pytest.raises(ModelError, match="missing or empty"):
        broken.inference_files("det")
