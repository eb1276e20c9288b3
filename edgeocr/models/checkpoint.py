"""Load PaddleOCR training checkpoints (``best_accuracy.pdparams``) into edgeocr's architectures.

Distillation checkpoints (PP-OCRv2 was trained with CML distillation) store the deployable
model under ``Student.``; that prefix is taken and reported. Any other mismatch is an error
naming the file: a silently half-loaded model is worse than none.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np
import paddle
from paddle import nn

from edgeocr.errors import ModelError
from edgeocr.models.architectures import PPOCRV2

DISTILL_PREFIXES = ("Student.", "student_model.")
# Parameters a det checkpoint may lack: the threshold branch only matters in training.
OPTIONAL_PREFIXES = {"det": ("head.thresh.",)}


def _strip_prefix(state: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    for prefix in DISTILL_PREFIXES:
        if any(k.startswith(prefix) for k in state):
            return {k[len(prefix):]: v for k, v in state.items() if k.startswith(prefix)}
    return state


def read_state(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """Read a ``.pdparams`` file as ``{key: array}``."""
    p = Path(path)
    if not p.is_file():
        raise ModelError(f"{p}: checkpoint not found")
    try:
        state = paddle.load(str(p), return_numpy=True)
    except Exception as e:  # paddle raises assorted errors for truncated/corrupt pickles
        raise ModelError(f"{p}: not a readable Paddle checkpoint ({type(e).__name__}: {e})") from e
    if not isinstance(state, dict) or not state:
        raise ModelError(f"{p}: checkpoint holds no parameters")
    return _strip_prefix(state)


def load_checkpoint(task: str, path: str | os.PathLike) -> nn.Layer:
    """Build the PP-OCRv2 ``task`` architecture and load a checkpoint into it (eval mode)."""
    state = read_state(path)
    overrides = {}
    if task == "rec" and "head.fc2.weight" in state:  # another dictionary -> another class count
        overrides["out_channels"] = int(state["head.fc2.weight"].shape[1])
    model = PPOCRV2[task].build(**overrides)
    expected = model.state_dict()
    optional = OPTIONAL_PREFIXES.get(task, ())
    missing = [k for k in expected if k not in state and not k.startswith(optional)]
    unexpected = [k for k in state if k not in expected]
    if missing or unexpected:
        raise ModelError(
            f"{path}: not a PP-OCRv2 {task} checkpoint "
            f"(missing {len(missing)} keys e.g. {missing[:3]}, unexpected {len(unexpected)} e.g. {unexpected[:3]})"
        )
    bad = [k for k in state if tuple(state[k].shape) != tuple(expected[k].shape)]
    if bad:
        k = bad[0]
        raise ModelError(f"{path}: {k} has shape {tuple(state[k].shape)}, the {task} architecture expects "
                         f"{tuple(expected[k].shape)} ({len(bad)} mismatched)")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the optional keys above
        model.set_state_dict(state)
    model.eval()
    return model


def save_checkpoint(model: nn.Layer, path: str | os.PathLike) -> None:
    """Save a model's state dict as ``.pdparams`` (atomically)."""
    from edgeocr.utils.atomic import atomic_path

    with atomic_path(path) as tmp:
        paddle.save(model.state_dict(), str(tmp))
