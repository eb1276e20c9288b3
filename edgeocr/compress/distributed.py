"""Data-parallel training over processes with ``paddle.distributed`` (collective: gloo on CPUs,
NCCL on GPUs), the same engine PaddleOCR's multi-GPU training uses.

Every rank draws the same global batch (the trainer's generator is seeded by ``(seed, step)``),
takes its own equal share of it, and the gradients are averaged over the ranks before every
update: with per-sample-mean losses and batch norm frozen that is the update one process makes
on the whole batch, so N ranks give the weights one process gives, up to the order of float
sums. What does not decompose is said where it applies: DB's dice loss is taken per share, and
training-mode batch norm (pruning recovery) normalises each share by its own statistics, as
PaddleOCR's data-parallel training does without SyncBatchNorm. Non-trainable state (PACT's
moving-average activation scales) is broadcast from rank 0 after every step, so the ranks never
drift apart and rank 0's model is every rank's. Only rank 0 writes checkpoints and outputs.

Started by edgeocr itself (``--nproc N``: ``spawn``), or by ``python -m
paddle.distributed.launch`` on one or several hosts, which sets the environment ``init_world``
reads.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import paddle
from paddle import nn

from edgeocr.errors import EdgeOCRError, InputError


@dataclass(frozen=True)
class World:
    """This process's place among the training processes (one process: rank 0 of 1)."""

    rank: int = 0
    size: int = 1

    @property
    def is_main(self) -> bool:
        """Whether this rank writes (checkpoints, outputs, reports) and logs."""
        return self.rank == 0

    def check_batch(self, batch_size: int) -> None:
        """Equal shares or nothing: unequal ones would weight samples unequally in the average."""
        if batch_size % self.size:
            raise InputError(f"train.batch_size {batch_size} does not split into {self.size} equal shares: "
                             f"use a global batch size that is a multiple of the number of processes")

    def share(self, indices: np.ndarray) -> np.ndarray:
        """This rank's share of a global batch (every ``size``-th sample from ``rank``)."""
        return indices[self.rank::self.size]

    def sum_gradients(self, model: nn.Layer) -> None:
        """Every gradient summed over the ranks, in place (each rank's loss was divided by the
        world size before ``backward``, so the sum is the average)."""
        if self.size == 1:
            return
        import paddle.distributed as dist

        for p in model.parameters():
            if p.grad is not None:
                dist.all_reduce(p.grad)

    def sync_state(self, model: nn.Layer) -> None:
        """Rank 0's non-trainable parameters and buffers (observers, batch-norm statistics) on every rank."""
        if self.size == 1:
            return
        import paddle.distributed as dist

        for p in [*(p for p in model.parameters() if p.stop_gradient), *model.buffers()]:
            if p is not None and p.size:
                dist.broadcast(p, src=0)

    def broadcast_parameters(self, model: nn.Layer) -> None:
        """Every parameter as rank 0 holds it (the ranks start from one model)."""
        if self.size == 1:
            return
        import paddle.distributed as dist

        for p in model.parameters():
            dist.broadcast(p, src=0)

    def any(self, flag: bool) -> bool:
        """Whether ``flag`` is set on any rank (a Ctrl-C on one stops all at the same step)."""
        if self.size == 1:
            return flag
        import paddle.distributed as dist

        t = paddle.to_tensor([1 if flag else 0], dtype="int32")
        dist.all_reduce(t, op=dist.ReduceOp.MAX)
        return bool(int(t))

    def barrier(self) -> None:
        if self.size > 1:
            import paddle.distributed as dist

            dist.barrier()


_INITIALISED: list[World] = []


def init_world() -> World:
    """The world this process belongs to: from the environment ``paddle.distributed.launch`` or
    ``spawn`` sets (``PADDLE_TRAINERS_NUM`` > 1), initialised once; else a single process."""
    if _INITIALISED:
        return _INITIALISED[0]
    size = int(os.environ.get("PADDLE_TRAINERS_NUM", "1"))
    if size > 1:
        import paddle.distributed as dist

        dist.init_parallel_env()
        world = World(dist.get_rank(), dist.get_world_size())
    else:
        world = World()
    _INITIALISED.append(world)
    return world


def device_backend(gpus: str | None) -> str:
    """``nccl`` for GPUs (a CUDA build of Paddle), ``gloo`` for CPU processes."""
    if gpus is None:
        return "gloo"
    if not paddle.device.is_compiled_with_cuda():
        raise InputError(f"--gpus {gpus}: this Paddle ({paddle.__version__}) is a CPU build; install a CUDA build "
                         "of paddlepaddle-gpu with the same version (see the README, \"Training that scales\")")
    return "nccl"


def spawn(fn: Callable[..., Any], nproc: int, args: tuple = (), gpus: str | None = None) -> None:
    """Run ``fn(*args)`` in ``nproc`` new processes (ranks 0..nproc-1, over loopback), each of
    which finds its world with ``init_world``; returns when all have finished, raises if one failed."""
    import paddle.distributed as dist

    backend = device_backend(gpus)
    options = {"gpus": gpus} if gpus else {}
    try:
        dist.spawn(fn, args=args, nprocs=nproc, backend=backend, join=True, **options)
    except Exception as e:  # a rank's exception arrives as its traceback text: keep its last line
        last = next((line for line in reversed(str(e).strip().splitlines()) if line.strip()), repr(e))
        kind, _, message = last.partition(": ")
        if kind.endswith("TrainingInterrupted"):  # the ranks stopped together, the checkpoint saved
            raise RanksStopped(message) from None
        raise EdgeOCRError(f"a data-parallel rank failed: {last}") from None


class RanksStopped(EdgeOCRError):
    """The ranks were interrupted together (Ctrl-C) after a saved step: ``--resume`` continues."""

    exit_code = 130  # as trainer.TrainingInterrupted
