"""Fill edgeocr's dygraph models with the weights of PaddleOCR's released ONNX exports.

Why this works: paddle2onnx kept Paddle's static parameter names (``conv2d_31.w_0``,
``batch_norm_27.w_2``, ``lstm_cell_6.w_0``, ...). A freshly built dygraph model names its
parameters in the same families, numbered in layer *creation* order, so within each family
the k-th exported tensor belongs to the k-th created layer (the export numbers start at an
offset because a teacher model was built first). Matching by the order in which the graph
*uses* weights would fail (the FPN is created in2->in5 but runs in5->in2). Every pair is
checked for shape; the mapping is then proved by comparing outputs with ONNX Runtime.

The older direction classifier was exported with hand-written names (``conv3_se_1_weights``),
which are mapped from the layer structure instead.
"""

from __future__ import annotations

import re
import warnings
from collections import defaultdict

import numpy as np
import onnx
import onnx.numpy_helper as nh
from paddle import nn

from edgeocr.errors import ModelError
from edgeocr.models.onnx_source import constants

FAMILY = re.compile(r"^(conv2d_transpose|conv2d|batch_norm|lstm_cell|linear)_(\d+)\.([wb]_\d+)$")
# PP-OCRv2 rec's CTC head was saved with named ParamAttrs.
NAMED_REC_HEAD = {
    "head.fc1.weight": "student_ctc_head_1_w_attr", "head.fc1.bias": "student_ctc_head_1_b_attr",
    "head.fc2.weight": "student_ctc_head_2_w_attr", "head.fc2.bias": "student_ctc_head_2_b_attr",
}


def unique_state(model: nn.Layer) -> dict[str, object]:
    """State-dict entries by key, once per tensor (nn.LSTM lists each weight under two keys)."""
    seen: set[str] = set()
    out = {}
    for key, tensor in model.state_dict().items():
        if tensor.name not in seen:
            seen.add(tensor.name)
            out[key] = tensor
    return out


def _families(names: dict[str, str]) -> dict[str, list[dict[str, str]]]:
    """``{family: [ {suffix: owner key} per layer, in index order ]}`` from ``{owner key: static name}``."""
    grouped: dict[str, dict[int, dict[str, str]]] = defaultdict(dict)
    for key, name in names.items():
        m = FAMILY.match(name)
        if m:
            grouped[m.group(1)].setdefault(int(m.group(2)), {})[m.group(3)] = key
    return {fam: [layers[i] for i in sorted(layers)] for fam, layers in grouped.items()}


def family_mapping(model: nn.Layer, onnx_names: list[str]) -> dict[str, str]:
    """Map model state keys to ONNX constant names by family and creation order."""
    ours = _families({k: t.name for k, t in unique_state(model).items()})
    theirs = _families({n: n for n in onnx_names})
    mapping: dict[str, str] = {}
    for fam, their_layers in theirs.items():
        our_layers = ours.get(fam, [])
        if len(our_layers) < len(their_layers):
            raise ModelError(f"ONNX has {len(their_layers)} {fam} layers, the architecture only {len(our_layers)}")
        # Layers the export lacks (the DB threshold branch, used only in training) come last.
        for our, their in zip(our_layers, their_layers):
            for suffix, onnx_name in their.items():
                if suffix not in our:
                    raise ModelError(f"{onnx_name}: no matching parameter in the architecture")
                mapping[our[suffix]] = onnx_name
    return mapping


_CLS_BN = {"weight": "scale", "bias": "offset", "_mean": "mean", "_variance": "variance"}
_CLS_CONV = {"expand_conv": "expand", "bottleneck_conv": "depthwise", "linear_conv": "linear"}


def cls_name(key: str) -> str | None:
    """ONNX name of a direction-classifier state key (PaddleOCR 2.0 static naming)."""
    if key.startswith("head.fc."):
        return "fc_0.w_0" if key.endswith("weight") else "fc_0.b_0"
    m = re.match(r"backbone\.(conv1|conv2|blocks\.(\d+)\.(\w+?))\.(conv|bn|conv1|conv2)\.(\w+)$", key)
    if not m:
        return None
    whole, block, part, layer, attr = m.groups()
    if block is None:
        prefix = "conv1" if whole == "conv1" else "conv_last"
    elif part == "mid_se":
        return f"conv{int(block) + 2}_se_{layer[-1]}_{'weights' if attr == 'weight' else 'offset'}"
    else:
        prefix = f"conv{int(block) + 2}_{_CLS_CONV[part]}"
    return f"{prefix}_weights" if layer == "conv" else f"{prefix}_bn_{_CLS_BN[attr]}"


def load_onnx_weights(task: str, model: nn.Layer, onnx_model: onnx.ModelProto) -> dict[str, str]:
    """Copy the ONNX weights into ``model`` in place; return the key -> ONNX name mapping used."""
    consts = constants(onnx_model)
    state = unique_state(model)
    if task == "cls":
        mapping = {k: n for k in state if (n := cls_name(k)) is not None}
    else:
        mapping = family_mapping(model, list(consts))
        if task == "rec":
            mapping.update(NAMED_REC_HEAD)
    by_tensor: dict[str, np.ndarray] = {}
    for key, name in mapping.items():
        if name not in consts:
            raise ModelError(f"ONNX weight {name} (for {key}) not found in the {task} model")
        arr = nh.to_array(consts[name])
        want = tuple(state[key].shape)
        if arr.shape != want:
            raise ModelError(f"ONNX weight {name} has shape {arr.shape}, {key} expects {want}")
        by_tensor[state[key].name] = arr.astype(np.float32)
    missing = [k for k, t in state.items() if t.name not in by_tensor]
    if task != "det" and missing:  # det's threshold branch legitimately stays at its initialiser
        raise ModelError(f"{task}: no ONNX weight for {missing[:5]}")
    # Every alias key of a tensor gets the value; Paddle warns about the keys left out on purpose.
    values = {k: by_tensor[t.name] for k, t in model.state_dict().items() if t.name in by_tensor}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.set_state_dict(values)
    return mapping
