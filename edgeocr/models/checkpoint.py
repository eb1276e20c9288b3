"""Load PaddleOCR training checkpoints (``best_accuracy.pdparams``) into edgeocr's architectures
(of whichever family the checkpoint's keys are).

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
from edgeocr.models.architectures import ARCHITECTURES, Architecture

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


_KEYS: dict[tuple[str, str], frozenset[str]] = {}


def _keys(arch: Architecture) -> frozenset[str]:
    """State keys of ``arch`` (built once per process: building is what defines them)."""
    tag = (arch.family, arch.task)
    if tag not in _KEYS:
        _KEYS[tag] = frozenset(arch.build().state_dict())
    return _KEYS[tag]


def match_architecture(task: str, state: dict[str, np.ndarray], path: str | os.PathLike) -> Architecture:
    """The architecture (of any family) whose parameters are exactly the checkpoint's keys."""
    optional = OPTIONAL_PREFIXES.get(task, ())
    have = {k for k in state if not k.startswith(optional)}
    candidates = list({id(a): a for a in (archs[task] for archs in ARCHITECTURES.values())}.values())
    for arch in candidates:
        if have == {k for k in _keys(arch) if not k.startswith(optional)}:
            return arch
    closest = min(candidates, key=lambda a: len(have ^ set(_keys(a))))
    want = {k for k in _keys(closest) if not k.startswith(optional)}
    missing, unexpected = sorted(want - have), sorted(have - want)
    folded = any(".conv_kxk." in k or ".conv_1x1." in k for k in unexpected)
    hint = (" (PaddleOCR's training checkpoint of PP-LCNetV3 holds the unfolded re-parameterised branches: export "
            "it with PaddleOCR's tools/export_model.py and pass the inference-model folder)" if folded else "")
    raise ModelError(
        f"{path}: not a {' / '.join(sorted({a.family for a in candidates}))} {task} checkpoint; closest is "
        f"{closest.family} (missing {len(missing)} keys e.g. {missing[:3]}, unexpected {len(unexpected)} "
        f"e.g. {unexpected[:3]}){hint}")


def load_checkpoint(task: str, path: str | os.PathLike) -> nn.Layer:
    """Build the ``task`` architecture the checkpoint is of (its family found from its keys) and
    load the checkpoint into it (eval mode)."""
    state = read_state(path)
    arch = match_architecture(task, state, path)
    overrides = {}
    for fc in ("head.fc2.weight", "head.fc.weight"):  # another dictionary -> another class count
        if task == "rec" and fc in state:
            overrides["out_channels"] = int(state[fc].shape[1])
    model = arch.build(**overrides)
    expected = model.state_dict()
    bad = [k for k in state if tuple(state[k].shape) != tuple(expected[k].shape)]
    if bad:
        k = bad[0]
        raise ModelError(f"{path}: {k} has shape {tuple(state[k].shape)}, the {arch.family} {task} architecture "
                         f"expects {tuple(expected[k].shape)} ({len(bad)} mismatched)")
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
