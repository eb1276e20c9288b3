"""Trainable starting points for compression: a model folder's float checkpoint, possibly
pruned. A pruned model is stored as the standard checkpoint format plus ``pruning.json``
(the per-layer filter ratios); re-applying those ratios to a freshly built architecture
reproduces the pruned shapes, so ``quantize`` can start from a ``prune`` output."""

from __future__ import annotations

import contextlib
import io
import json
import warnings
from pathlib import Path

import paddle
from paddle import nn

from edgeocr.errors import ModelError
from edgeocr.models.architectures import architecture_of
from edgeocr.models.checkpoint import load_checkpoint, match_architecture, read_state
from edgeocr.models.modelset import CHECKPOINT

PRUNE_PLAN = "pruning.json"


def example_input(model: nn.Layer) -> list[int]:
    """The input PaddleSlim traces ``model`` with to find dependent layers: its architecture's
    own line size for cls and rec (48 pixels high for a PP-OCRv3/v4 rec), a small page for det."""
    arch = architecture_of(model)
    return [1, 3, 320, 320] if arch.task == "det" else list(arch.example_shape)


def make_pruner(model: nn.Layer, criterion: str = "fpgm"):
    from paddleslim.dygraph import FPGMFilterPruner, L1NormFilterPruner

    cls = {"fpgm": FPGMFilterPruner, "l1": L1NormFilterPruner}.get(criterion)
    if cls is None:
        raise ModelError(f"unknown pruning criterion {criterion!r} (fpgm or l1)")
    return cls(model, example_input(model))


def drop_backups(model: nn.Layer) -> None:
    """Remove the ``*_backup`` buffers PaddleSlim registers to undo a pruning: a pruned model is
    final here, and the backups' names (numbered per process) would leak into checkpoints."""
    for layer in model.sublayers(include_self=True):
        for name in [n for n in layer._buffers if n.endswith("_backup")]:
            del layer._buffers[name]


def apply_plan(model: nn.Layer, task: str, ratios: dict[str, float]) -> None:
    """Prune ``model`` in place by ``{state key: ratio}`` (filters of axis 0, dependents follow)."""
    names = {key: tensor.name for key, tensor in model.state_dict().items()}
    pruner = make_pruner(model)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pruner.prune_vars({names[k]: r for k, r in ratios.items()}, axis=0)
    drop_backups(model)


def rebuild_pruned(task: str, model: nn.Layer, ratios: dict[str, float]) -> nn.Layer:
    """A fresh architecture pruned by ``ratios`` and holding ``model``'s weights."""
    fresh = architecture_of(model).build()
    apply_plan(fresh, task, ratios)
    fresh.set_state_dict(model.state_dict())
    fresh.eval()
    return fresh


def load_trainable(task: str, model_dir: Path) -> nn.Layer:
    """The float dygraph model stored in ``model_dir`` (eval mode)."""
    checkpoint = model_dir / CHECKPOINT
    plan_file = model_dir / PRUNE_PLAN
    if not plan_file.is_file():
        return load_checkpoint(task, checkpoint)
    plan = json.loads(plan_file.read_text(encoding="utf-8"))
    state = read_state(checkpoint)
    model = match_architecture(task, state, checkpoint).build()
    apply_plan(model, task, plan["ratios"])
    expected = model.state_dict()
    bad = [k for k in expected if k not in state or tuple(state[k].shape) != tuple(expected[k].shape)]
    if bad:
        raise ModelError(f"{checkpoint}: does not match its pruning plan {plan_file} (e.g. {bad[0]})")
    model.set_state_dict(state)
    model.eval()
    return model


def deployed_params(model: nn.Layer) -> int:
    """Parameters the exported model contains (the DB threshold branch is training-only)."""
    return int(sum(p.size for name, p in model.named_parameters() if not name.startswith("head.thresh.")))


def flops(model: nn.Layer) -> int:
    """Multiply-accumulate FLOPs at the architecture's reference input (det 640x640, cls 48x192,
    rec 32x320 for PP-OCRv2 and 48x320 from v3)."""
    size = list(architecture_of(model).example_shape)
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):  # paddle.flops prints per layer
        warnings.simplefilter("ignore")
        return int(paddle.flops(model, size, print_detail=False))
