"""Sequence encoder for CRNN: the ``[N, C, 1, W]`` feature map becomes ``[N, W, C]`` time steps,
then a 2-layer bidirectional LSTM gives each step context from the whole line."""

from __future__ import annotations

import paddle
from paddle import nn


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
    """PaddleOCR's ``SequenceEncoder(encoder_type='rnn')``; attribute names kept for checkpoints."""

    def __init__(self, in_channels: int, hidden_size: int = 64) -> None:
        super().__init__()
        self.encoder_reshape = Im2Seq(in_channels)
        self.encoder = EncoderWithRNN(in_channels, hidden_size)
        self.out_channels = self.encoder.out_channels

    def forward(self, x: paddle.Tensor) -> paddle.Tensor:
        return self.encoder(self.encoder_reshape(x))
