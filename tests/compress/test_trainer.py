"""Training survives: deterministic, resumable exactly, interruptible at a step boundary with
a checkpoint that is never half-written and never resumed by another run."""

from __future__ import annotations

import dataclasses
import errno
import json
import signal
import threading

import numpy as np
import paddle
import pytest

from edgeocr.compress.data import load_task_data, resolve_labels
from edgeocr.compress.objectives import make_step_loss
from edgeocr.compress.recipe import Recipe, TrainSpec
from edgeocr.compress.trainer import (CHECKPOINT_DIR, STATE, TrainingInterrupted, learning_rate, run_identity,
                                      train)
from edgeocr.errors import EdgeOCRError
from edgeocr.models.charset import load_charset
from edgeocr.models.checkpoint import load_checkpoint
from edgeocr.models.modelset import CHECKPOINT

RECIPE = Recipe(model="cls", method="pact", seed=3,
                train=TrainSpec(steps=4, batch_size=4, lr=1e-4, checkpoint_every=2, log_every=1))


@pytest.fixture(autouse=True)
def ctrl_c_delivered():
    """Ctrl-C as a terminal delivers it, also when this process was started with SIGINT ignored
    (a job started in the background by a non-interactive shell is): the trainer rightly leaves
    an ignored SIGINT alone, which would turn the Ctrl-C tests into tests of nothing."""
    inherited = signal.getsignal(signal.SIGINT)
    if inherited is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, inherited)


@pytest.fixture(scope="module")
def cls_data(model_home):
    return load_task_data("cls", resolve_labels("synth", "cls", 12, 8))


def _run(pulled_models, data, workdir, recipe=RECIPE, resume=False, step_hook=None):
    """Train the pulled classifier as a job would: spec, seed and identity from ``recipe``."""
    start = pulled_models.cls / CHECKPOINT
    student, teacher = load_checkpoint("cls", start), load_checkpoint("cls", start)
    step = make_step_loss("cls", student, teacher, data, recipe.train, load_charset())
    if step_hook:
        step = step_hook(step)
    log = train(student, step, recipe.train, recipe.seed, workdir, identity=run_identity(recipe, "cls", start, data),
                resume=resume)
    return student, log


def _weights(model):
    return {k: v.numpy().copy() for k, v in model.state_dict().items()}


def _assert_same_weights(a, b) -> None:
    assert a.keys() == b.keys()
    assert [k for k in a if not np.array_equal(a[k], b[k])] == []


def _saved_step(workdir) -> int:
    return json.loads((workdir / CHECKPOINT_DIR / STATE).read_text())["step"]


@pytest.fixture(scope="module")
def uninterrupted(pulled_models, cls_data, tmp_path_factory):
    """Weights and log of RECIPE trained in one go: what every interrupted run must end with."""
    model, log = _run(pulled_models, cls_data, tmp_path_factory.mktemp("whole"))
    return _weights(model), log


def _sigint_at_call(n: int):
    """A step_loss wrapper that sends this process SIGINT (a real Ctrl-C) on its n-th call."""
    calls = {"n": 0}

    def hook(step):
        def wrapped(rng):
            calls["n"] += 1
            if calls["n"] == n:
                signal.raise_signal(signal.SIGINT)
            return step(rng)
        return wrapped
    return hook


def test_same_seed_same_weights(pulled_models, cls_data, tmp_path, uninterrupted) -> None:
    whole, log = uninterrupted
    again, _ = _run(pulled_models, cls_data, tmp_path)
    _assert_same_weights(whole, _weights(again))
    start = _weights(load_checkpoint("cls", pulled_models.cls / CHECKPOINT))
    assert any(not np.array_equal(whole[k], start[k]) for k in whole)  # training did change the model
    assert [h["step"] for h in log.history] == [1, 2, 3, 4]


def test_ctrl_c_finishes_the_step_saves_it_and_resumes_exactly(pulled_models, cls_data, tmp_path,
                                                               uninterrupted) -> None:
    before = signal.getsignal(signal.SIGINT)
    with pytest.raises(TrainingInterrupted, match=f"after step 3 of 4; checkpoint saved in {tmp_path}.*--resume") as e:
        _run(pulled_models, cls_data, tmp_path, step_hook=_sigint_at_call(3))
    assert e.value.exit_code == 130
    assert signal.getsignal(signal.SIGINT) is before  # the previous handler is back
    assert _saved_step(tmp_path) == 3  # the step Ctrl-C arrived in was completed, and counted
    resumed, log = _run(pulled_models, cls_data, tmp_path, resume=True)
    assert log.resumed_from == 3
    assert [h["step"] for h in log.history] == [1, 2, 3, 4]
    _assert_same_weights(uninterrupted[0], _weights(resumed))
    assert signal.getsignal(signal.SIGINT) is before


def test_ctrl_c_inside_the_optimizer_update_does_not_half_apply_it(pulled_models, cls_data, tmp_path,
                                                                   monkeypatch, uninterrupted) -> None:
    adam, count = paddle.optimizer.Adam, {"step": 0, "param": 0}
    step, update = adam.step, adam._append_optimize_op

    def counted_step(self):
        count["step"], count["param"] = count["step"] + 1, 0
        return step(self)

    def update_one(self, block, param_and_grad):  # Adam updates parameter by parameter
        count["param"] += 1
        if count["step"] == 3 and count["param"] == 3:  # two parameters of step 3 updated, the rest not
            signal.raise_signal(signal.SIGINT)
        return update(self, block, param_and_grad)

    with monkeypatch.context() as m:
        m.setattr(adam, "step", counted_step)
        m.setattr(adam, "_append_optimize_op", update_one)
        with pytest.raises(TrainingInterrupted):
            _run(pulled_models, cls_data, tmp_path)
    assert count["param"] > 3  # Ctrl-C did land with parameters of step 3 still to update
    assert _saved_step(tmp_path) == 3
    resumed, _ = _run(pulled_models, cls_data, tmp_path, resume=True)
    _assert_same_weights(uninterrupted[0], _weights(resumed))


def test_ctrl_c_during_the_checkpoint_save_is_deferred(pulled_models, cls_data, tmp_path, monkeypatch,
                                                       uninterrupted) -> None:
    save = paddle.save

    def save_under_fire(obj, path):
        signal.raise_signal(signal.SIGINT)  # Ctrl-C, again and again, while the checkpoint is written
        save(obj, path)

    with monkeypatch.context() as m:
        m.setattr(paddle, "save", save_under_fire)
        with pytest.raises(TrainingInterrupted, match="after step 2 of 4"):
            _run(pulled_models, cls_data, tmp_path)
    assert _saved_step(tmp_path) == 2
    resumed, _ = _run(pulled_models, cls_data, tmp_path, resume=True)
    _assert_same_weights(uninterrupted[0], _weights(resumed))


def test_keyboard_interrupt_raised_by_code_saves_the_completed_steps(pulled_models, cls_data, tmp_path,
                                                                     uninterrupted) -> None:
    def interrupt_at_third_step(step):
        calls = {"n": 0}

        def wrapped(rng):
            calls["n"] += 1
            if calls["n"] == 3:
                raise KeyboardInterrupt
            return step(rng)
        return wrapped

    with pytest.raises(TrainingInterrupted, match="use --resume"):
        _run(pulled_models, cls_data, tmp_path, step_hook=interrupt_at_third_step)
    assert _saved_step(tmp_path) == 2  # step 3 had not touched the weights yet
    resumed, log = _run(pulled_models, cls_data, tmp_path, resume=True)
    assert log.resumed_from == 2
    _assert_same_weights(uninterrupted[0], _weights(resumed))


def test_outside_the_main_thread_an_interrupt_after_the_update_counts_the_step(pulled_models, cls_data, tmp_path,
                                                                               monkeypatch, uninterrupted) -> None:
    adam, calls, raised = paddle.optimizer.Adam, {"n": 0}, []
    clear_grad = adam.clear_grad

    def interrupt_third(self, *args, **kwargs):  # after step 3's update, before the loop counts it
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return clear_grad(self, *args, **kwargs)

    def worker():
        try:
            _run(pulled_models, cls_data, tmp_path)
        except BaseException as e:  # noqa: BLE001 - handed to the test thread
            raised.append(e)

    with monkeypatch.context() as m:
        m.setattr(adam, "clear_grad", interrupt_third)
        thread = threading.Thread(target=worker)
        thread.start()
        thread.join()
    assert [type(e) for e in raised] == [TrainingInterrupted]
    assert _saved_step(tmp_path) == 3
    resumed, _ = _run(pulled_models, cls_data, tmp_path, resume=True)
    _assert_same_weights(uninterrupted[0], _weights(resumed))


def test_a_crash_while_saving_keeps_the_previous_checkpoint_whole(pulled_models, cls_data, tmp_path, monkeypatch,
                                                                  uninterrupted) -> None:
    save, calls = paddle.save, {"n": 0}

    def disk_full_at_fourth_file(obj, path):  # checkpoint 2's weights are written, its optimizer state not
        calls["n"] += 1
        if calls["n"] == 4:
            raise OSError(errno.ENOSPC, "No space left on device")
        save(obj, path)

    with monkeypatch.context() as m:
        m.setattr(paddle, "save", disk_full_at_fourth_file)
        with pytest.raises(OSError):
            _run(pulled_models, cls_data, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [CHECKPOINT_DIR]  # no temporary folder left
    assert _saved_step(tmp_path) == 2
    resumed, log = _run(pulled_models, cls_data, tmp_path, resume=True)
    assert log.resumed_from == 2
    _assert_same_weights(uninterrupted[0], _weights(resumed))


@pytest.mark.parametrize(("change", "message"), [
    (lambda r: r.override("train", lr=2e-4), "train.lr=0.0001, this run has train.lr=0.0002"),
    (lambda r: r.override("train", steps=3), "train.steps=2, this run has train.steps=3"),
    (lambda r: dataclasses.replace(r, seed=4), "seed=3, this run has seed=4"),
    (lambda r: r.override("quant", weight_bits=4), "quant.weight_bits=8, this run has quant.weight_bits=4"),
    (lambda r: r.override("data", train_count=99), "data.train_count=600, this run has data.train_count=99"),
])
def test_resume_refuses_a_checkpoint_of_another_run(pulled_models, cls_data, tmp_path, change, message) -> None:
    recipe = RECIPE.override("train", steps=2)
    _run(pulled_models, cls_data, tmp_path, recipe=recipe)
    folder = tmp_path / CHECKPOINT_DIR
    with pytest.raises(EdgeOCRError, match=f"cannot resume from {folder}: it was written by a run with {message}; "
                                           f"remove {folder} or run without --resume"):
        _run(pulled_models, cls_data, tmp_path, recipe=change(recipe), resume=True)


def test_resume_accepts_changes_that_do_not_touch_the_weights(pulled_models, cls_data, tmp_path) -> None:
    recipe = RECIPE.override("train", steps=2)
    _run(pulled_models, cls_data, tmp_path, recipe=recipe)
    changed = (recipe.override("train", log_every=2, checkpoint_every=1)
               .override("data", eval_count=5, eval_seed=1).override("quant", ptq_batches=3))
    _, log = _run(pulled_models, cls_data, tmp_path, recipe=changed, resume=True)
    assert log.resumed_from == 2


def test_run_identity_follows_the_model_and_data_used_not_only_the_recipe(pulled_models, cls_data) -> None:
    start = pulled_models.cls / CHECKPOINT
    other_data = load_task_data("cls", resolve_labels("synth", "cls", 12, 9))  # as --train would give
    ours = run_identity(RECIPE, "cls", start, cls_data)
    assert run_identity(RECIPE, "cls", start, other_data)["train_data"] != ours["train_data"]
    assert run_identity(RECIPE, "cls", pulled_models.det / CHECKPOINT, cls_data)["start"] != ours["start"]
    assert run_identity(RECIPE.override("train", lr=1.0), "cls", start, cls_data) == ours  # train() adds TrainSpec


@pytest.mark.parametrize("freeze_bn", [True, False])
def test_batch_norm_statistics_train_only_when_not_frozen(pulled_models, cls_data, tmp_path, freeze_bn) -> None:
    model, _ = _run(pulled_models, cls_data, tmp_path, recipe=RECIPE.override("train", steps=2, freeze_bn=freeze_bn))
    start = _weights(load_checkpoint("cls", pulled_models.cls / CHECKPOINT))
    moved = [k for k, v in _weights(model).items() if k.endswith("._mean") and not np.array_equal(v, start[k])]
    assert bool(moved) is not freeze_bn


def test_cosine_schedule_depends_on_the_step_alone() -> None:
    spec = TrainSpec(steps=10, lr=1e-3)
    rates = [learning_rate(spec, s) for s in range(10)]
    assert rates[0] == pytest.approx(1e-3) and rates[5] == pytest.approx(5e-4) and 0 < rates[9] < 1e-4
    assert all(a > b for a, b in zip(rates, rates[1:]))
    assert learning_rate(TrainSpec(steps=10, lr=1e-3, cosine_decay=False), 9) == 1e-3
