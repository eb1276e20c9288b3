"""EncoderWithSVTR: PP-OCRv3/v4's recogniser neck (PaddleOCR's ``necks/rnn.py``), two global
self-attention blocks over the feature map in place of PP-OCRv2's BiLSTM."""

from __future__ import annotations

import paddle
import paddle.nn.functional as F
from paddle import nn


class ConvBNSwish(nn.Layer):
    """Conv (no bias) -> BatchNorm2D -> swish (the SVTR ``ConvBNLayer``)."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size, padding=0) -> None:
        super().__init__()
        self.conv = nn.Conv2D(in_channels, out_channels, kernel_size, 1, padding,
                              weight_attr=paddle.ParamAttr(initializer=nn.initializer.KaimingUniform()),
                              bias_attr=False)
        self.norm = nn.BatchNorm2D(out_channels)

    def forward(self, x: paddle.Tensor) -> paddle.Tensor:
        return F.swish(self.norm(self.conv(x)))


class Attention(nn.Layer):
    """Global multi-head self-attention."""

    def __init__(self, dim: int, num_heads: int, qkv_bias: bool, attn_drop: float, proj_drop: float) -> None:
        super().__init__()
        self.num_heads = num_heads
        self.dim = dim
        self.head_dim = dim // num_heads
        self.scale = self.head_dim ** -0.5
        self.qkv = nn.Linear(dim, dim * 3, bias_attr=qkv_bias)
        self.attn_drop = nn.Dropout(attn_drop)
        self.proj = nn.Linear(dim, dim)
        self.proj_drop = nn.Dropout(proj_drop)

    def forward(self, x: paddle.Tensor) -> paddle.Tensor:
        qkv = self.qkv(x).reshape((0, -1, 3, self.num_heads, self.head_dim)).transpose((2, 0, 3, 1, 4))
        q, k, v = qkv[0] * self.scale, qkv[1], qkv[2]
        attn = self.attn_drop(F.softmax(q.matmul(k.transpose((0, 1, 3, 2))), axis=-1))
        x = attn.matmul(v).transpose((0, 2, 1, 3)).reshape((0, -1, self.dim))
        return self.proj_drop(self.proj(x))


class Mlp(nn.Layer):
    def __init__(self, dim: int, hidden: int, drop: float) -> None:
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, dim)
        self.drop = nn.Dropout(drop)

    def forward(self, x: paddle.Tensor) -> paddle.Tensor:
        return self.drop(self.fc2(self.drop(F.swish(self.fc1(x)))))


class Block(nn.Layer):
    """Post-norm-free transformer block: ``x + attn(norm(x))``, ``x + mlp(norm(x))``."""

    def __init__(self, dim: int, num_heads: int, mlp_ratio: float, qkv_bias: bool, drop: float,
                 attn_drop: float) -> None:
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, epsilon=1e-5)
        self.mixer = Attention(dim, num_heads, qkv_bias, attn_drop, drop)
        self.norm2 = nn.LayerNorm(dim, epsilon=1e-5)
        self.mlp = Mlp(dim, int(dim * mlp_ratio), drop)

    def forward(self, x: paddle.Tensor) -> paddle.Tensor:
        x = x + self.mixer(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class EncoderWithSVTR(nn.Layer):
    """Reduce channels (k x k then 1x1), SVTR blocks over the H x W tokens, restore channels,
    concat with the input, fuse to ``dims`` channels. ``use_guide``: the neck's gradient does
    not flow back into the backbone (PaddleOCR's guided training)."""

    def __init__(self, in_channels: int, dims: int = 64, depth: int = 2, hidden_dims: int = 120,
                 use_guide: bool = False, num_heads: int = 8, mlp_ratio: float = 2.0, drop_rate: float = 0.1,
                 attn_drop_rate: float = 0.1, kernel_size=(3, 3), qkv_bias: bool = True) -> None:
        super().__init__()
        self.use_guide = use_guide
        pad = [kernel_size[0] // 2, kernel_size[1] // 2]
        self.conv1 = ConvBNSwish(in_channels, in_channels // 8, list(kernel_size), pad)
        self.conv2 = ConvBNSwish(in_channels // 8, hidden_dims, 1)
        self.svtr_block = nn.LayerList([Block(hidden_dims, num_heads, mlp_ratio, qkv_bias, drop_rate, attn_drop_rate)
                                        for _ in range(depth)])
        self.norm = nn.LayerNorm(hidden_dims, epsilon=1e-6)
        self.conv3 = ConvBNSwish(hidden_dims, in_channels, 1)
        self.conv4 = ConvBNSwish(2 * in_channels, in_channels // 8, list(kernel_size), pad)
        self.conv1x1 = ConvBNSwish(in_channels // 8, dims, 1)
        self.out_channels = dims

    def forward(self, x: paddle.Tensor) -> paddle.Tensor:
        if self.use_guide:
            z = x.clone()
            z.stop_gradient = True
        else:
            z = x
        h = z
        z = self.conv2(self.conv1(z))
        _, c, height, width = z.shape
        z = z.flatten(2).transpose([0, 2, 1])
        for block in self.svtr_block:
            z = block(z)
        z = self.norm(z)
        z = z.reshape([0, height, width, c]).transpose([0, 3, 1, 2])
        z = paddle.concat((h, self.conv3(z)), axis=1)
        return self.conv1x1(self.conv4(z))
