"""Training losses for compression fine-tuning: distillation from the frozen float model
(which needs no labels) plus each model's task loss where labels exist.

Every loss takes the student's training-mode output and the teacher's inference output
(probabilities), so the same loop serves rec, cls and det.
"""

from __future__ import annotations

import numpy as np
import paddle
import paddle.nn.functional as F


def soft_cross_entropy(teacher_probs: paddle.Tensor, student_logits: paddle.Tensor) -> paddle.Tensor:
    """Cross-entropy against the teacher's distribution (KL divergence up to a constant).

    The log-softmax is written as ``logits - logsumexp(logits)``: Paddle 2.6's CPU
    ``log_softmax`` kernel takes 1.7 s forward and as long backward on the recognizer's
    ``[8, 80, 6625]`` output (this form: 0.1 s both), which was 70% of a training step.
    """
    log_probs = student_logits - paddle.logsumexp(student_logits, axis=-1, keepdim=True)
    return -(teacher_probs * log_probs).sum(-1).mean()


def ctc_loss(logits: paddle.Tensor, labels: list[list[int]]) -> paddle.Tensor:
    """CTC over ``[N, T, C]`` logits; labels are CTC ids without blanks."""
    n, t, _ = logits.shape
    longest = max(1, max(len(lab) for lab in labels))
    padded = np.zeros((n, longest), np.int32)
    for i, lab in enumerate(labels):
        padded[i, :len(lab)] = lab
    return F.ctc_loss(logits.transpose([1, 0, 2]), paddle.to_tensor(padded),
                      paddle.to_tensor(np.full(n, t, np.int64)),
                      paddle.to_tensor(np.array([len(lab) for lab in labels], np.int64)),
                      blank=0, reduction="mean")


def dice_loss(pred: paddle.Tensor, gt: paddle.Tensor, mask: paddle.Tensor, eps: float = 1e-6) -> paddle.Tensor:
    inter = (pred * gt * mask).sum()
    union = (pred * mask).sum() + (gt * mask).sum() + eps
    return 1 - 2.0 * inter / union


def db_shrink_loss(prob: paddle.Tensor, gt: paddle.Tensor, mask: paddle.Tensor) -> paddle.Tensor:
    """DB's shrink-map terms (masked BCE + dice). The threshold map is not trained: the
    deployed model does not contain that branch."""
    bce = F.binary_cross_entropy(prob.clip(1e-6, 1 - 1e-6), gt, reduction="none")
    return (bce * mask).sum() / (mask.sum() + 1e-6) + dice_loss(prob, gt, mask)


def map_distillation(student_prob: paddle.Tensor, teacher_prob: paddle.Tensor) -> paddle.Tensor:
    """BCE of the student's probability map against the teacher's (soft targets)."""
    return F.binary_cross_entropy(student_prob.clip(1e-6, 1 - 1e-6), teacher_prob)
