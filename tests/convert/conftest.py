from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def odd_model(tmp_path: Path, pulled_models) -> Path:
    """An inference model with an op no runtime converts (``determinant``), in ``tmp_path/odd``."""
    import paddle

    class Odd(paddle.nn.Layer):
        def __init__(self):
            super().__init__()
            self.fc = paddle.nn.Linear(3, 3)

        def forward(self, x):
            return paddle.linalg.det(self.fc(x))

    static = paddle.jit.to_static(Odd(), input_spec=[paddle.static.InputSpec([2, 3, 3], "float32", "x")],
                                  full_graph=True)
    paddle.jit.save(static, str(tmp_path / "odd" / "inference"))
    return tmp_path / "odd"
