"""One training step per model type: a batch, the frozen float teacher's output, the
student's output, and the weighted sum of distillation and task losses."""

from __future__ import annotations

import numpy as np
import paddle
from paddle import nn

from edgeocr.compress import losses
from edgeocr.compress.data import TaskData, cls_batch, det_batch, random_flips, rec_batch
from edgeocr.compress.distributed import World
from edgeocr.compress.recipe import TrainSpec
from edgeocr.compress.trainer import StepLoss
from edgeocr.models.architectures import architecture_of
from edgeocr.models.charset import Charset


def make_step_loss(task: str, student: nn.Layer, teacher: nn.Layer, data: TaskData, spec: TrainSpec,
                   charset: Charset, world: World = World()) -> StepLoss:
    """A ``StepLoss`` for ``task``; the teacher runs without gradients in eval mode. Every rank
    of ``world`` draws the same global batch and computes the loss of its own share."""
    teacher.eval()
    line = architecture_of(teacher).example_shape[2:]  # (height, width) the recogniser reads

    def forward(x: np.ndarray) -> tuple[paddle.Tensor, paddle.Tensor]:
        """(teacher output, student output) for one input batch."""
        xt = paddle.to_tensor(x)
        with paddle.no_grad():
            target = teacher(xt)
        return target, student(xt)

    def step(rng: np.random.Generator) -> tuple[paddle.Tensor, dict[str, float], int]:
        batch = rng.choice(len(data), size=spec.batch_size, replace=len(data) < spec.batch_size)
        flips = world.share(random_flips(rng, len(batch))) if task == "cls" else None  # drawn for the whole batch
        idx = world.share(batch)
        if task == "rec":
            x, labels = rec_batch(data, idx, charset, *line)
            target, logits = forward(x)
            distill = losses.soft_cross_entropy(target, logits)
            task_loss = losses.ctc_loss(logits, labels) if all(labels) else paddle.zeros([1])
        elif task == "cls":
            x, flips = cls_batch(data, idx, flips)
            target, logits = forward(x)
            distill = losses.soft_cross_entropy(target, logits)
            task_loss = nn.functional.cross_entropy(logits, paddle.to_tensor(flips))
        else:
            x, gt, mask = det_batch(data, idx, spec.det_input_size)
            target, prob = forward(x)
            distill = losses.map_distillation(prob, target)
            task_loss = losses.db_shrink_loss(prob, paddle.to_tensor(gt), paddle.to_tensor(mask))
        loss = spec.distill_weight * distill + spec.task_weight * task_loss
        return loss, {"distill": float(distill), "task": float(task_loss)}, len(idx)

    return step
