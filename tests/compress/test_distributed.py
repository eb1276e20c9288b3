"""Data-parallel training (``edgeocr.compress.distributed``): two CPU ranks over loopback (gloo,
inside the tests' loopback-only namespace) give the weights one process gives with the same
global batch, deterministically, and a Ctrl-C on one rank stops both at one step with a
checkpoint that a restart of all ranks resumes exactly."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from edgeocr.compress.data import resolve_labels
from edgeocr.compress.distributed import World
from edgeocr.errors import InputError
from edgeocr.models.modelset import CHECKPOINT
from tests.compress.test_trainer import RECIPE, _run, _weights

REPO = Path(__file__).resolve().parents[2]
# the ranks talk gloo over TCP: only where nothing but loopback is reachable
pytestmark = pytest.mark.usefixtures("loopback_only")


def _ranks(pulled_models, labels: Path, workdir: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "tests.compress.dp_worker", str(pulled_models.cls / CHECKPOINT), str(labels),
           str(workdir), str(out), "2", *extra]
    return subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "CUDA_VISIBLE_DEVICES": ""})


@pytest.fixture(scope="module")
def labels(model_home) -> Path:
    return resolve_labels("synth", "cls", 12, 8)


@pytest.fixture(scope="module")
def one_process(pulled_models, labels, tmp_path_factory):
    from edgeocr.compress.data import load_task_data

    model, _ = _run(pulled_models, load_task_data("cls", labels), tmp_path_factory.mktemp("one"))
    return _weights(model)


@pytest.fixture(scope="module")
def two_ranks(pulled_models, labels, tmp_path_factory):
    folder = tmp_path_factory.mktemp("two")
    proc = _ranks(pulled_models, labels, folder / "work", folder / "w.npz")
    assert proc.returncode == 0, proc.stderr[-3000:]
    return dict(np.load(folder / "w.npz"))


def test_two_ranks_train_as_one_process_with_the_same_global_batch(one_process, two_ranks) -> None:
    assert one_process.keys() == two_ranks.keys()
    worst = max(float(np.abs(one_process[k] - two_ranks[k]).max()) for k in one_process)
    assert worst < 1e-5, worst  # the order of float sums differs, nothing else
    moved = max(float(np.abs(one_process[k]).max()) for k in one_process)
    assert moved > 0


def test_same_seed_and_world_size_give_the_same_weights(pulled_models, labels, two_ranks, tmp_path) -> None:
    proc = _ranks(pulled_models, labels, tmp_path / "work", tmp_path / "again.npz")
    assert proc.returncode == 0, proc.stderr[-3000:]
    again = dict(np.load(tmp_path / "again.npz"))
    assert [k for k in two_ranks if not np.array_equal(two_ranks[k], again[k])] == []


def test_ctrl_c_on_one_rank_stops_all_and_a_restart_resumes_exactly(pulled_models, labels, two_ranks,
                                                                     tmp_path) -> None:
    out = tmp_path / "w.npz"
    stopped = _ranks(pulled_models, labels, tmp_path / "work", out, "--stop-at", "3")
    assert stopped.returncode == 0 and out.with_suffix(".interrupted").is_file(), stopped.stderr[-3000:]
    assert not out.exists()
    assert json.loads((tmp_path / "work" / "checkpoint" / "checkpoint.json").read_text())["step"] == 3
    resumed = _ranks(pulled_models, labels, tmp_path / "work", out, "--resume")
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    weights = dict(np.load(out))
    assert [k for k in two_ranks if not np.array_equal(two_ranks[k], weights[k])] == []


def test_a_global_batch_that_does_not_split_evenly_is_refused() -> None:
    with pytest.raises(InputError, match="batch_size 6 does not split into 4 equal shares"):
        World(0, 4).check_batch(6)
    assert list(World(1, 2).share(np.arange(6))) == [1, 3, 5]
    assert RECIPE.train.batch_size % 2 == 0


def test_quantize_with_nproc_writes_one_output_from_rank_0(pulled_models, tmp_path) -> None:
    """The command itself starts the ranks: rank 0 alone measures and writes (atomically), the
    other trains into a scratch folder that goes away."""
    from edgeocr.data.synth import synthesize

    train, evaluation = (synthesize("rec", tmp_path / name, 16, seed) / "labels.txt"
                         for name, seed in (("t", 31), ("e", 32)))
    out = tmp_path / "cls-pact"
    cmd = [str(Path(sys.executable).parent / "edgeocr"), "quantize", "--model", "cls", "--steps", "2", "--nproc", "2",
           "--train", str(train), "--eval", str(evaluation), "--out", str(out), "--threads", "1"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "on 2 data-parallel ranks" in proc.stderr and proc.stderr.count("measuring the pact int8 model") == 1
    report = json.loads((out / "report.json").read_text())
    assert report["compression"]["training"]["steps"] == 2 and (out / "inference.pdmodel").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cls-pact", "e", "t"]  # no leftovers beside it


def test_ptq_in_several_processes_is_refused(pulled_models, tmp_path, monkeypatch) -> None:
    from edgeocr.compress import distributed, job
    from tests.compress.conftest import small

    monkeypatch.setattr(distributed, "_INITIALISED", [World(0, 2)])
    with pytest.raises(InputError, match="ptq does not train: run it in one process"):
        job.quantize("cls", small("cls", "ptq"), tmp_path / "x")
