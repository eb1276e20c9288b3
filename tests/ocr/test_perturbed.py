"""The perturbed backend: noise of the asked relative size on every model input, the same for
the same seed, none where the input is zero."""

from __future__ import annotations

import numpy as np

from edgeocr.ocr.backends.perturbed import PerturbedBackend
from tests.ocr.fakes import ScriptedBackend


def _echo() -> ScriptedBackend:
    return ScriptedBackend({"det": lambda b: b, "rec": lambda b: b}, with_cls=False)


def test_inputs_carry_relative_noise_of_the_asked_size() -> None:
    x = np.full((1, 3, 64, 64), 2.0, np.float32)
    seen = PerturbedBackend(_echo(), 1e-3, seed=1).infer("det", x)
    relative = seen / x - 1
    assert seen.dtype == np.float32 and seen.shape == x.shape
    assert 0.9e-3 < relative.std() < 1.1e-3 and abs(relative.mean()) < 1e-4
    assert not PerturbedBackend(_echo(), 1e-3, seed=1).has("cls")


def test_the_same_seed_gives_the_same_inputs_and_another_seed_others() -> None:
    x = np.linspace(-3, 3, 96, dtype=np.float32).reshape(2, 3, 4, 4)
    a, b = (PerturbedBackend(_echo(), 1e-5, seed=s) for s in (1, 1))
    for _ in range(2):  # call after call
        np.testing.assert_array_equal(a.infer("rec", x), b.infer("rec", x))
    other = PerturbedBackend(_echo(), 1e-5, seed=2).infer("rec", x)
    assert not np.array_equal(other, PerturbedBackend(_echo(), 1e-5, seed=1).infer("rec", x))
    np.testing.assert_array_equal(PerturbedBackend(_echo(), 1e-5, seed=3).infer("det", np.zeros((1, 3, 8, 8), np.float32)),
                                  np.zeros((1, 3, 8, 8), np.float32))
