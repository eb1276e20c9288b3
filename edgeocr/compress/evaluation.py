"""Accuracy of a model folder on an eval set, through Paddle Inference on the exported
inference model: what gets measured is the artifact that gets converted and shipped, not
the training-time graph. (Quantized models are checked here, not on Paddle-Lite's x86
runtime, whose int8 kernels are wrong.)"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import cv2
import numpy as np

from edgeocr.compress.data import TaskData
from edgeocr.metrics.evaluate import evaluate
from edgeocr.models.charset import load_charset
from edgeocr.models.modelset import ModelSet
from edgeocr.ocr.backends import create_backend
from edgeocr.ocr.system import TextSystem

METRIC = {"det": "hmean", "rec": "line_acc", "cls": "cls_acc"}


def _system(task: str, model_dir: Path, base: ModelSet, threads: int) -> TextSystem:
    models = dataclasses.replace(base, **{task: model_dir})
    return TextSystem(create_backend("paddle", models, threads), load_charset(models.dict_path), models.config)


def cls_accuracy(system: TextSystem, data: TaskData) -> dict:
    """Each crop is shown upright or turned by 180 degrees (fixed pattern); accuracy of the label."""
    flips = np.random.default_rng(0).random(len(data)) < 0.5
    crops = [cv2.rotate(img, cv2.ROTATE_180) if f else img for img, f in zip(data.images, flips)]
    _, labels = system.classify(crops)
    correct = sum((label == "180") == bool(f) for (label, _), f in zip(labels, flips))
    return {"cls_acc": correct / len(data), "correct": correct, "samples": len(data)}


def evaluate_model(task: str, model_dir: Path, base: ModelSet, data: TaskData, threads: int = 2) -> dict:
    """``{metric name: value, ...}`` for ``task`` with ``model_dir`` swapped into ``base``."""
    system = _system(task, model_dir, base, threads)
    if task == "cls":
        return cls_accuracy(system, data)
    metrics = evaluate(task, data.labels, system)["metrics"]
    if task == "rec":
        return {"line_acc": metrics["acc"], "norm_edit_dis": metrics["norm_edit_dis"], "samples": metrics["lines"]}
    return {"hmean": metrics["hmean"], "precision": metrics["precision"], "recall": metrics["recall"],
            "samples": len(data)}
