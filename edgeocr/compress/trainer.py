"""The fine-tuning loop shared by PACT QAT and post-pruning recovery.

What it guarantees: a progress bar with loss and throughput; an atomic checkpoint every
``checkpoint_every`` steps (and on Ctrl-C), so an interruption or crash leaves the last
checkpoint usable and ``resume=True`` continues from it; and determinism — batches are
drawn from a generator seeded by ``(seed, step)``, so a resumed run sees the same batches
as an uninterrupted one and two runs with one seed give the same weights.

Batch norm is frozen (eval mode, pretrained statistics) when ``freeze_bn`` is set, as for
QAT of an intact model, where the few small batches that fit on a CPU would only add noise to
good statistics. A pruned model needs the opposite: its statistics no longer describe the
thinner layers, and with them frozen the recognizer pruned by 30% stayed at 0.0 line
accuracy after 100 fine-tuning steps, against 0.84 with batch norm training.
"""

from __future__ import annotations

import json
import math
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import paddle
from paddle import nn
from tqdm import tqdm

from edgeocr.compress.recipe import TrainSpec
from edgeocr.errors import EdgeOCRError
from edgeocr.utils.atomic import atomic_path, write_json

StepLoss = Callable[[np.random.Generator], tuple[paddle.Tensor, dict[str, float], int]]
STATE = "checkpoint.json"
PARAMS = "checkpoint.pdparams"
OPTIMIZER = "checkpoint.pdopt"


class TrainingInterrupted(EdgeOCRError):
    exit_code = 130


@dataclass
class TrainLog:
    steps: int = 0
    resumed_from: int = 0
    seconds: float = 0.0
    samples: int = 0
    history: list[dict] = field(default_factory=list)  # every log_every steps: step + loss parts

    def to_json(self) -> dict:
        return {"steps": self.steps, "resumed_from": self.resumed_from, "seconds": round(self.seconds, 2),
                "samples_per_s": round(self.samples / self.seconds, 2) if self.seconds else None,
                "history": self.history}


def freeze_batch_norm(model: nn.Layer) -> None:
    for layer in model.sublayers():
        if isinstance(layer, (nn.BatchNorm, nn.BatchNorm2D)):
            layer.eval()


def learning_rate(spec: TrainSpec, step: int) -> float:
    """``spec.lr``, or with ``cosine_decay`` that rate decayed along a half cosine to 0 at the
    last step: a function of the step alone, so a resumed run follows the same schedule."""
    if not spec.cosine_decay:
        return spec.lr
    return spec.lr * 0.5 * (1 + math.cos(math.pi * step / spec.steps))


def _rekey_optimizer(state: dict, model: nn.Layer, to_keys: bool) -> dict:
    """Optimizer slots are named after parameters (``conv2d_618.w_0_moment1_0``), and those
    names are numbered per process; store them as ``<state key>::<slot>`` so another process
    can resume, and turn them back into the current names on load."""
    names = {t.name: k for k, t in model.state_dict().items()}
    keys = {k: n for n, k in names.items()}
    by_length = sorted(names, key=len, reverse=True)  # conv2d_10 before conv2d_1
    out = {}
    for slot, value in state.items():
        if to_keys:
            owner = next((n for n in by_length if slot.startswith(n + "_")), None)
            slot = f"{names[owner]}::{slot[len(owner) + 1:]}" if owner else slot
        elif "::" in slot:
            key, rest = slot.split("::", 1)
            slot = f"{keys[key]}_{rest}"
        out[slot] = value
    return out


def _save(model: nn.Layer, opt: paddle.optimizer.Optimizer, workdir: Path, step: int, log: TrainLog) -> None:
    with atomic_path(workdir / PARAMS) as tmp:
        paddle.save(model.state_dict(), str(tmp))
    with atomic_path(workdir / OPTIMIZER) as tmp:
        paddle.save(_rekey_optimizer(opt.state_dict(), model, to_keys=True), str(tmp))
    write_json(workdir / STATE, {"step": step, "history": log.history})  # written last: marks a complete checkpoint


def train(model: nn.Layer, step_loss: StepLoss, spec: TrainSpec, seed: int, workdir: Path,
          resume: bool = False, desc: str = "train") -> TrainLog:
    """Run ``spec.steps`` optimisation steps of ``step_loss`` on ``model`` (in place)."""
    workdir.mkdir(parents=True, exist_ok=True)
    paddle.seed(seed)
    opt = paddle.optimizer.Adam(learning_rate=spec.lr, parameters=model.parameters())
    log = TrainLog()
    start = 0
    if resume and (workdir / STATE).is_file():
        state = json.loads((workdir / STATE).read_text())
        model.set_state_dict(paddle.load(str(workdir / PARAMS)))
        opt.set_state_dict(_rekey_optimizer(paddle.load(str(workdir / OPTIMIZER)), model, to_keys=False))
        start = log.resumed_from = int(state["step"])
        log.history = state["history"]
    bar = tqdm(range(start, spec.steps), desc=desc, unit="step", file=sys.stderr, initial=start, total=spec.steps)
    t0 = time.perf_counter()
    step = start
    try:
        for step in bar:
            model.train()
            if spec.freeze_bn:
                freeze_batch_norm(model)
            opt.set_lr(learning_rate(spec, step))
            loss, parts, n = step_loss(np.random.default_rng([seed, step]))
            loss.backward()
            opt.step()
            opt.clear_grad()
            log.samples += n
            log.seconds = time.perf_counter() - t0
            bar.set_postfix(loss=f"{float(loss):.4f}", samples_s=f"{log.samples / log.seconds:.1f}")
            if (step + 1) % spec.log_every == 0 or step + 1 == spec.steps:
                log.history.append({"step": step + 1, "loss": round(float(loss), 5),
                                    **{k: round(v, 5) for k, v in parts.items()}})
            if (step + 1) % spec.checkpoint_every == 0:
                _save(model, opt, workdir, step + 1, log)
    except KeyboardInterrupt:
        _save(model, opt, workdir, step, log)
        raise TrainingInterrupted(f"interrupted at step {step}; checkpoint saved in {workdir} (use --resume)") from None
    finally:
        bar.close()
    model.eval()
    log.steps = spec.steps
    if start < spec.steps and spec.steps % spec.checkpoint_every != 0:
        _save(model, opt, workdir, spec.steps, log)
    return log
