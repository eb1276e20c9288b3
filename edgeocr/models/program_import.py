"""Fill edgeocr's dygraph models with the weights of released Paddle inference models.

Why matching by use order: PaddleOCR's exports (PP-OCRv3/v4) number parameters per layer
family in creation order across a whole distillation job (teacher first, ``conv2d_157.w_0``) and
name some families after classes of their day (``mobile_one_block_3.w_0``), so names say little.
What the exported program does say is the order in which its operators use the weights. An
edgeocr architecture written like PaddleOCR's uses its weights in the same order, so tracing it
to a program and walking both programs side by side pairs every weight exactly; each pair is
checked for shape, and the filled model is then held to Paddle Inference on the released model.
"""

from __future__ import annotations

import tempfile
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np
import paddle
from paddle import nn
from paddle.base.proto import framework_pb2

from edgeocr.errors import ModelError
from edgeocr.models.export import export_inference
from edgeocr.models.onnx_import import unique_state
from edgeocr.models.program import read_program
from edgeocr.paths import INFER_MODEL


def weight_uses(desc: framework_pb2.ProgramDesc) -> list[str]:
    """The program's parameters in the order its operators first use them (input slots by name)."""
    block = desc.blocks[0]
    persistable = {v.name for v in block.vars if v.persistable and v.name not in ("feed", "fetch")}
    seen: dict[str, None] = {}
    for op in block.ops:
        for slot in sorted(op.inputs, key=lambda s: s.parameter):
            for name in slot.arguments:
                if name in persistable:
                    seen.setdefault(name, None)
    return list(seen)


@dataclass
class Released:
    """A released inference model as Paddle's executor runs it: its weights by their saved
    names, and the reference output the filled architecture is held to."""

    program: paddle.static.Program
    feeds: list[str]
    fetches: list
    scope: paddle.static.Scope
    weights: dict[str, np.ndarray]

    def run(self, x: np.ndarray) -> np.ndarray:
        with _static(), paddle.static.scope_guard(self.scope):
            exe = paddle.static.Executor(paddle.CPUPlace())
            return exe.run(self.program, feed={self.feeds[0]: x}, fetch_list=self.fetches)[0]


@contextmanager
def _static() -> Iterator[None]:
    paddle.enable_static()
    try:
        yield
    finally:
        paddle.disable_static()


def load_released(model_dir: Path) -> Released:
    """Read the inference model in ``model_dir`` with Paddle's static loader, in a scope of its
    own (``paddle.jit.load`` would rename weights that clash with layers built in this process)."""
    scope = paddle.static.Scope()
    try:
        with _static(), paddle.static.scope_guard(scope):
            exe = paddle.static.Executor(paddle.CPUPlace())
            program, feeds, fetches = paddle.static.load_inference_model(str(model_dir / "inference"), exe)
            weights = {v.name: np.array(scope.find_var(v.name).get_tensor())
                       for v in program.list_vars() if v.persistable and v.name not in ("feed", "fetch")}
    except Exception as e:  # Paddle raises assorted errors for unreadable models
        raise ModelError(f"{model_dir}: cannot read the inference model ({type(e).__name__}: {e})") from e
    return Released(program, feeds, fetches, scope, weights)


def load_program_weights(task: str, model: nn.Layer, model_dir: Path, released: Released) -> dict[str, str]:
    """Copy the weights of ``released`` (the inference model in ``model_dir``) into ``model`` in
    place; return the state key -> released parameter name mapping used."""
    theirs = weight_uses(read_program(model_dir / INFER_MODEL))
    values = released.weights
    with tempfile.TemporaryDirectory(prefix="edgeocr-trace-") as tmp:
        export_inference(model, task, tmp)
        ours = weight_uses(read_program(Path(tmp) / INFER_MODEL))
    if len(ours) != len(theirs):
        raise ModelError(f"{model_dir}: the released {task} model uses {len(theirs)} weights, the architecture "
                         f"{len(ours)}: not the same network")
    state = unique_state(model)
    key_of = {t.name: k for k, t in state.items()}
    mapping, by_tensor = {}, {}
    for position, (our, their) in enumerate(zip(ours, theirs)):
        key = key_of[our]
        want = tuple(state[key].shape)
        got = values[their].shape
        if tuple(got) != want:
            raise ModelError(f"{model_dir}: weight #{position} {their} has shape {tuple(got)}, {key} expects {want}: "
                             "not the same network")
        mapping[key] = their
        by_tensor[our] = values[their].astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # keys left at their initialiser (the DB threshold branch)
        model.set_state_dict({k: by_tensor[t.name] for k, t in model.state_dict().items() if t.name in by_tensor})
    return mapping


def max_difference(model: nn.Layer, released: Released, x: np.ndarray) -> float:
    """Largest absolute difference of ``model``'s and ``released``'s outputs for input ``x``."""
    model.eval()
    with paddle.no_grad():
        ours = model(paddle.to_tensor(x)).numpy()
    return float(np.abs(ours - released.run(x)).max())
