"""The rank program of the data-parallel tests: trains the pulled classifier as a job does, on
the ranks ``paddle.distributed`` starts, and has rank 0 save the weights (``python -m
tests.compress.dp_worker CHECKPOINT LABELS WORKDIR OUT.npz NPROC [--resume] [--stop-at N]``)."""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

import numpy as np


def rank_main(checkpoint: str, labels: str, workdir: str, out: str, resume: bool, stop_at: int) -> None:
    from edgeocr.compress.data import load_task_data
    from edgeocr.compress.distributed import init_world
    from edgeocr.compress.objectives import make_step_loss
    from edgeocr.compress.trainer import TrainingInterrupted, run_identity, train
    from edgeocr.models.charset import load_charset
    from edgeocr.models.checkpoint import load_checkpoint
    from tests.compress.test_trainer import RECIPE

    world = init_world()
    data = load_task_data("cls", Path(labels))
    student, teacher = load_checkpoint("cls", Path(checkpoint)), load_checkpoint("cls", Path(checkpoint))
    step = make_step_loss("cls", student, teacher, data, RECIPE.train, load_charset(), world)
    calls = {"n": 0}

    def stepped(rng):
        calls["n"] += 1
        if calls["n"] == stop_at and world.rank == 1:  # Ctrl-C reaching one rank only
            signal.raise_signal(signal.SIGINT)
        return step(rng)

    try:
        train(student, stepped, RECIPE.train, RECIPE.seed, Path(workdir), resume=resume, world=world,
              identity=run_identity(RECIPE, "cls", Path(checkpoint), data))
    except TrainingInterrupted:
        if world.is_main:
            Path(out).with_suffix(".interrupted").write_text("interrupted")
        return
    if world.is_main:
        np.savez(out, **{k: v.numpy() for k, v in student.state_dict().items()})


def main(argv: list[str]) -> None:
    from edgeocr.compress.distributed import spawn

    parser = argparse.ArgumentParser()
    for name in ("checkpoint", "labels", "workdir", "out"):
        parser.add_argument(name)
    parser.add_argument("nproc", type=int)
    parser.add_argument("--resume", action="store_true")
    parser.add_argument("--stop-at", type=int, default=0)
    a = parser.parse_args(argv)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    spawn(rank_main, a.nproc, args=(a.checkpoint, a.labels, a.workdir, a.out, a.resume, a.stop_at))


if __name__ == "__main__":
    main(sys.argv[1:])
