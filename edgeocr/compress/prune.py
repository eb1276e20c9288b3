"""Sensitivity-based filter pruning (FPGM or L1), as PaddleOCR/PaddleSlim prune the detector.

Sensitivity is measured per prunable conv and ratio with a cheap proxy — fidelity of the
pruned model's output to the unpruned model's on a few eval images — because scoring the
real metric for every (layer, ratio) pair would take hours on two cores. The result is
cached in a file keyed by the model weights, the data and the settings.
"""

from __future__ import annotations

import hashlib
import json
import logging
import tempfile
import warnings
from pathlib import Path
from typing import Callable

import numpy as np
import paddle
from paddle import nn

from edgeocr.compress.data import TaskData, cls_batch, det_batch, rec_batch
from edgeocr.compress.recipe import PruneSpec
from edgeocr.compress.source import drop_backups, make_pruner
from edgeocr.models.charset import Charset
from edgeocr.paths import home
from edgeocr.utils.atomic import write_json
from edgeocr.utils.hashing import sha256_file


def quiet_paddleslim() -> None:
    """PaddleSlim's loggers are set to INFO and print every pruned tensor; keep warnings only."""
    for name in list(logging.root.manager.loggerDict):
        if name.startswith("paddleslim"):
            logging.getLogger(name).setLevel(logging.WARNING)


def skip_list(model: nn.Layer) -> list[str]:
    """Parameters never pruned: the conv nearest the input, depthwise convs (they follow their
    producer), transposed convs and everything in the head (its output shape is the contract)."""
    skip = []
    first = True
    for name, layer in model.named_sublayers():
        if not isinstance(layer, (nn.Conv2D, nn.Conv2DTranspose)):
            continue
        is_head = name.startswith("head.")
        if first or is_head or isinstance(layer, nn.Conv2DTranspose) or layer._groups > 1:
            skip += [p.name for p in layer.parameters(include_sublayers=False)]
        first = False
    return skip


def fidelity(task: str, data: TaskData, charset: Charset, images: int) -> Callable[[nn.Layer, nn.Layer], float]:
    """``score(model, reference)`` in [0, 1]: how closely ``model`` reproduces ``reference``'s outputs."""
    idx = np.arange(min(images, len(data)))
    if task == "rec":
        x = paddle.to_tensor(rec_batch(data, idx, charset)[0])
    elif task == "cls":
        x = paddle.to_tensor(cls_batch(data, idx, np.random.default_rng(0))[0])
    else:
        x = paddle.to_tensor(det_batch(data, idx, 320)[0])
    cache: dict[int, np.ndarray] = {}

    def score(model: nn.Layer, reference: nn.Layer) -> float:
        if id(reference) not in cache:
            with paddle.no_grad():
                cache[id(reference)] = reference(x).numpy()
        model.eval()
        with paddle.no_grad():
            out = model(x).numpy()
        ref = cache[id(reference)]
        if task == "det":  # IoU of the text masks
            a, b = out > 0.3, ref > 0.3
            return float((a & b).sum() / max(1, (a | b).sum()))
        return float((out.argmax(-1) == ref.argmax(-1)).mean())  # rec: per-step agreement; cls: label agreement

    return score


def sensitivity_file(task: str, checkpoint: Path, data: TaskData, spec: PruneSpec) -> Path:
    key = hashlib.sha256("|".join([task, sha256_file(checkpoint), *sorted(data.digests), spec.criterion,
                                   str(spec.sensitivity_images)]).encode()).hexdigest()[:24]
    path = home() / "cache" / "sensitivity" / f"{task}-{key}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def choose_and_prune(model: nn.Layer, reference: nn.Layer, task: str, spec: PruneSpec, data: TaskData,
                     charset: Charset, sen_file: Path) -> dict:
    """Compute (or load) sensitivities, pick per-layer ratios, prune ``model`` in place.

    Returns the ratios by state key (the pruning plan) and what was achieved.
    """
    keys = {t.name: k for k, t in model.state_dict().items()}
    pruner = make_pruner(model, task, spec.criterion)
    quiet_paddleslim()
    skip = skip_list(model)
    score = fidelity(task, data, charset, spec.sensitivity_images)
    names = {k: n for n, k in keys.items()}
    cached = sen_file.is_file()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if cached:  # stored by state key: parameter names are numbered per process
            stored = json.loads(sen_file.read_text(encoding="utf-8"))
            sensitivities = {names[k]: {float(r): loss for r, loss in v.items()} for k, v in stored.items()}
            pruner._status.sensitivies = sensitivities
        else:
            with tempfile.TemporaryDirectory() as tmp:
                sensitivities = pruner.sensitive(eval_func=lambda: score(model, reference),
                                                 sen_file=str(Path(tmp) / "sensitivities.data"), skip_vars=list(skip))
            write_json(sen_file, {keys[n]: {str(r): loss for r, loss in v.items()} for n, v in sensitivities.items()})
        if spec.loss_budget is not None:
            ratios = pruner._get_ratios_by_loss(sensitivities, spec.loss_budget, skip_vars=skip)
            ratios = pruner._round_to(ratios, dims=0, factor=spec.align)
        else:
            ratios, _ = pruner.get_ratios_by_sensitivity(spec.flops_ratio, align=spec.align, dims=0,
                                                          skip_vars=skip)
        pruner.prune_vars(ratios, axis=0)
    drop_backups(model)
    return {"ratios": {keys[name]: float(r) for name, r in ratios.items() if r > 0},
            "criterion": spec.criterion, "sensitivity_file": str(sen_file), "sensitivity_cached": cached,
            "layers_analysed": len(sensitivities), "proxy_after_prune": score(model, reference)}
