"""Export dygraph models to Paddle inference models (``inference.pdmodel`` / ``.pdiparams``),
the format Paddle Inference, PaddleSlim and Paddle-Lite's ``opt`` all take."""

from __future__ import annotations

import os
from pathlib import Path

import paddle
from paddle import nn
from paddle.static import InputSpec

from edgeocr.errors import ModelError
from edgeocr.models.architectures import architecture_of
from edgeocr.paths import INFER_MODEL, home
from edgeocr.utils.atomic import atomic_dir
from edgeocr.utils.hashing import sha256_file


def input_spec(model: nn.Layer) -> list[InputSpec]:
    """The inference input of ``model``'s architecture (dynamic batch; dynamic H/W for det, W for
    rec, whose height is its family's: 32 pixels for PP-OCRv2, 48 from v3)."""
    return [InputSpec(shape=list(architecture_of(model).input_shape), dtype="float32", name="x")]


# Paddle 2.6's dy2static compares program-cache keys by hashes built from object ids. When
# an exported layer is freed and a new one is allocated at the same address, the new layer
# can be served the old layer's program (seen in one process exporting many models: a
# KeyError on the old layer's parameter names). Exported layers are therefore kept alive,
# so no two exports in a process share an address.
_EXPORTED: list[nn.Layer] = []


def export_inference(model: nn.Layer, task: str, out_dir: str | os.PathLike) -> Path:
    """Write ``out_dir/inference.pdmodel`` + ``.pdiparams`` for an eval-mode copy of ``model``."""
    built_for = architecture_of(model).task
    if built_for != task:
        raise ModelError(f"cannot export a {built_for} model as {task}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    _EXPORTED.append(model)
    model.eval()
    # full_graph=True: Paddle 2.6's default AST/SOT mode fails on these models.
    static = paddle.jit.to_static(model, input_spec=input_spec(model), full_graph=True)
    paddle.jit.save(static, str(out_dir / "inference"))
    return out_dir / INFER_MODEL


def export_checkpoint_cached(task: str, checkpoint: str | os.PathLike) -> Path:
    """Export a user's training checkpoint once; later calls reuse the cached inference model."""
    from edgeocr.models.checkpoint import load_checkpoint

    digest = sha256_file(checkpoint)[:16]
    target = home() / "cache" / "checkpoints" / f"{task}-{digest}"
    if (target / INFER_MODEL).is_file():
        return target
    model = load_checkpoint(task, checkpoint)
    with atomic_dir(target, replace=True) as tmp:
        export_inference(model, task, tmp)
    return target
