"""Training survives: deterministic, resumable, interruptible with a usable checkpoint."""

from __future__ import annotations

import numpy as np
import pytest

from edgeocr.compress.data import load_task_data, resolve_labels
from edgeocr.compress.objectives import make_step_loss
from edgeocr.compress.recipe import TrainSpec
from edgeocr.compress.trainer import STATE, TrainingInterrupted, learning_rate, train
from edgeocr.models.charset import load_charset
from edgeocr.models.checkpoint import load_checkpoint
from edgeocr.models.modelset import CHECKPOINT

SPEC = TrainSpec(steps=4, batch_size=4, lr=1e-4, checkpoint_every=2, log_every=1)


@pytest.fixture(scope="module")
def cls_data(model_home):
    return load_task_data("cls", resolve_labels("synth", "cls", 12, 8))


def _run(pulled_models, data, workdir, spec=SPEC, resume=False, step_hook=None):
    student = load_checkpoint("cls", pulled_models.cls / CHECKPOINT)
    teacher = load_checkpoint("cls", pulled_models.cls / CHECKPOINT)
    step = make_step_loss("cls", student, teacher, data, spec, load_charset())
    if step_hook:
        step = step_hook(step)
    log = train(student, step, spec, seed=3, workdir=workdir, resume=resume)
    return student, log


def _weights(model):
    return {k: v.numpy().copy() for k, v in model.state_dict().items()}


def test_same_seed_same_weights(pulled_models, cls_data, tmp_path) -> None:
    a, log = _run(pulled_models, cls_data, tmp_path / "a")
    b, _ = _run(pulled_models, cls_data, tmp_path / "b")
    wa, wb = _weights(a), _weights(b)
    assert all(np.array_equal(wa[k], wb[k]) for k in wa)
    start = _weights(load_checkpoint("cls", pulled_models.cls / CHECKPOINT))
    assert any(not np.array_equal(wa[k], start[k]) for k in wa)  # training did change the model
    assert [h["step"] for h in log.history] == [1, 2, 3, 4]


def test_interrupt_then_resume_equals_uninterrupted(pulled_models, cls_data, tmp_path) -> None:
    whole, _ = _run(pulled_models, cls_data, tmp_path / "whole")
    calls = {"n": 0}

    def interrupt_at_third_step(step):
        def wrapped(rng):
            calls["n"] += 1
            if calls["n"] == 3:
                raise KeyboardInterrupt
            return step(rng)
        return wrapped

    with pytest.raises(TrainingInterrupted, match="use --resume"):
        _run(pulled_models, cls_data, tmp_path / "cut", step_hook=interrupt_at_third_step)
    assert (tmp_path / "cut" / STATE).is_file()
    resumed, log = _run(pulled_models, cls_data, tmp_path / "cut", resume=True)
    assert log.resumed_from == 2
    ww, wr = _weights(whole), _weights(resumed)
    assert all(np.allclose(ww[k], wr[k], atol=1e-6) for k in ww)


@pytest.mark.parametrize("freeze_bn", [True, False])
def test_batch_norm_statistics_train_only_when_not_frozen(pulled_models, cls_data, tmp_path, freeze_bn) -> None:
    spec = TrainSpec(steps=2, batch_size=4, lr=1e-4, checkpoint_every=2, log_every=1, freeze_bn=freeze_bn)
    model, _ = _run(pulled_models, cls_data, tmp_path, spec=spec)
    start = _weights(load_checkpoint("cls", pulled_models.cls / CHECKPOINT))
    moved = [k for k, v in _weights(model).items() if k.endswith("._mean") and not np.array_equal(v, start[k])]
    assert bool(moved) is not freeze_bn


def test_cosine_schedule_depends_on_the_step_alone() -> None:
    spec = TrainSpec(steps=10, lr=1e-3)
    rates = [learning_rate(spec, s) for s in range(10)]
    assert rates[0] == pytest.approx(1e-3) and rates[5] == pytest.approx(5e-4) and 0 < rates[9] < 1e-4
    assert all(a > b for a, b in zip(rates, rates[1:]))
    assert learning_rate(TrainSpec(steps=10, lr=1e-3, cosine_decay=False), 9) == 1e-3
