from __future__ import annotations

import numpy as np
import paddle

from edgeocr.compress.losses import soft_cross_entropy


def test_soft_cross_entropy_is_cross_entropy_against_the_teacher() -> None:
    rng = np.random.default_rng(0)
    logits = rng.normal(0, 5, (2, 7, 50)).astype(np.float32)
    teacher = rng.dirichlet(np.ones(50), (2, 7)).astype(np.float32)
    log_p = logits - logits.max(-1, keepdims=True)
    log_p -= np.log(np.exp(log_p).sum(-1, keepdims=True))
    expected = -(teacher * log_p).sum(-1).mean()
    got = float(soft_cross_entropy(paddle.to_tensor(teacher), paddle.to_tensor(logits)))
    np.testing.assert_allclose(got, expected, rtol=1e-5)
