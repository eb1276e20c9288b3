"""Sequence encoders: the ``[N, C, 1, W]`` feature map becomes ``[N, W, C]`` time steps with
context from the whole line, by a 2-layer bidirectional LSTM after the reshape (PP-OCRv2's
CRNN, ``encoder_type="rnn"``) or by SVTR blocks before it (PP-OCRv3/v4, ``"svtr"``)."""

from __future__ import annotations

import paddle
from paddle import nn

from edgeocr.models.archs.necks.svtr import EncoderWithSVTR


class Im2Seq(nn.Layer):
    """``[N, C, 1, W]`` -> ``[N, W, C]``."""

    def __init__(self, in_channels: int) -> None:
        super().__init__()
        self.out_channels = in_channels

    def forward(self, x: paddle.Tensor) -> paddle.Tensor:
        return x.squeeze(axis=2).transpose([0, 2, 1])


class EncoderWithRNN(nn.Layer):
    def __init__(self, in_channels: int, hidden_size: int) -> None:
        super().__init__()
        self.out_channels = hidden_size * 2
        self.lstm = nn.LSTM(in_channels, hidden_size, direction="bidirectional", num_layers=2)

    def forward(self, x: paddle.Tensor) -> paddle.Tensor:
        return self.lstm(x)[0]


class SequenceEncoder(nn.Layer):
    """PaddleOCR's ``SequenceEncoder``; attribute names kept for checkpoints. ``svtr`` takes the
    ``EncoderWithSVTR`` arguments (``dims``, ``depth``, ``hidden_dims``, ``kernel_size``, ...)."""

    def __init__(self, in_channels: int, encoder_type: str = "rnn", hidden_size: int = 64, **svtr: object) -> None:
        super().__init__()
        if encoder_type not in ("rnn", "svtr"):
            raise ValueError(f"unknown encoder_type {encoder_type!r} (rnn or svtr)")
        self.encoder_type = encoder_type
        self.encoder_reshape = Im2Seq(in_channels)
        if encoder_type == "rnn":
            self.encoder = EncoderWithRNN(in_channels, hidden_size)
        else:
            self.encoder = EncoderWithSVTR(in_channels, **svtr)
        self.out_channels = self.encoder.out_channels

    def forward(self, x: paddle.Tensor) -> paddle.Tensor:
        if self.encoder_type == "svtr":
            return self.encoder_reshape(self.encoder(x))
        return self.encoder(self.encoder_reshape(x))
