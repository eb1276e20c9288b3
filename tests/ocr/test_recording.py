"""Recording model calls and reading them back: every tensor, shape and image name survives."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from edgeocr.ocr.backends.recording import Recording, RecordingBackend
from tests.ocr.fakes import ScriptedBackend


def test_calls_are_recorded_and_read_back(tmp_path: Path) -> None:
    inner = ScriptedBackend({"det": lambda b: b[:, :1] * 2, "cls": lambda b: np.tile([[0.9, 0.1]], (len(b), 1))})
    backend = RecordingBackend(inner, tmp_path / "rec", tasks=("det", "rec"))
    assert backend.has("det") and not backend.has("cls")  # a det_rec replay offers no classifier
    rng = np.random.default_rng(0)
    inputs = [rng.random((1, 3, 8, 8), dtype=np.float32), rng.random((2, 3, 4, 4), dtype=np.float32)]
    backend.image = "a.png"
    backend.infer("det", inputs[0])
    backend.image = "b.png"
    backend.infer("det", inputs[1])
    recording = Recording.load(backend.save("v2.13-rc"))
    assert (recording.runtime_version, recording.models, len(recording)) == ("v2.13-rc", ("det", "rec"), 2)
    calls = list(recording.calls())
    assert [(c.index, c.model, c.image) for c in calls] == [(0, "det", "a.png"), (1, "det", "b.png")]
    for call, x in zip(calls, inputs):
        np.testing.assert_array_equal(call.input, x)
        np.testing.assert_array_equal(call.output, x[:, :1] * 2)
