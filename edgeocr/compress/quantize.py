"""Quantization: PACT quantization-aware training (the PP-OCR recipe) and post-training
quantization (the fast baseline), both with PaddleSlim, both exporting an int8 inference
model (``onnx_format``: ``quantize_linear``/``dequantize_linear`` ops, int8 weights)."""

from __future__ import annotations

import statistics
import sys
import warnings
from pathlib import Path

import numpy as np
import paddle
from paddle import nn

from edgeocr.compress.data import TaskData, cls_batch, det_batch, random_flips, rec_batch
from edgeocr.compress.recipe import QuantSpec, Recipe
from edgeocr.config import OCRConfig
from edgeocr.errors import EdgeOCRError
from edgeocr.models.charset import Charset
from edgeocr.models.export import input_spec
from edgeocr.models.modelset import INFER_MODEL, INFER_PARAMS


class QuantizationError(EdgeOCRError):
    """PaddleSlim could not quantize the model as configured."""


def qat_config(spec: QuantSpec) -> dict:
    return {
        "activation_preprocess_type": "PACT", "weight_preprocess_type": None,
        "weight_quantize_type": spec.weight_quantize_type, "activation_quantize_type": spec.activation_quantize_type,
        "weight_bits": spec.weight_bits, "activation_bits": spec.activation_bits, "dtype": "int8",
        "window_size": 10000, "moving_rate": 0.9, "quantizable_layer_type": ["Conv2D", "Linear"],
        "onnx_format": spec.onnx_format,
    }


def mark_skipped(model: nn.Layer, spec: QuantSpec) -> int:
    """Keep in float the depthwise convs (``skip_depthwise``) and the layers under the
    ``skip_layers`` name prefixes; returns how many quantizable layers were skipped."""
    skipped = 0
    for name, layer in model.named_sublayers():
        if not isinstance(layer, (nn.Conv2D, nn.Linear)):
            continue
        depthwise = isinstance(layer, nn.Conv2D) and layer._groups > 1
        if (spec.skip_depthwise and depthwise) or any(name.startswith(p) for p in spec.skip_layers):
            layer.skip_quant = True
            skipped += 1
    return skipped


def pact_status(model: nn.Layer) -> dict:
    """How many layers are quantized and how many of them really carry a PACT clip.

    PACT can be silently off (e.g. PaddleOCR distillation configs with a frozen sub-model);
    this is checked, not assumed.
    """
    quantized = [l for l in model.sublayers() if type(l).__name__.startswith("Quantized")]
    alphas = [float(p.numpy()[0]) for n, p in model.named_parameters() if n.endswith("_act_preprocess.alpha")]
    return {"quantized_layers": len(quantized), "pact_layers": len(alphas),
            "alpha": {"min": min(alphas), "median": statistics.median(alphas), "max": max(alphas)} if alphas else None}


def _initialise_rnn_buffers(model: nn.Layer) -> None:
    """Give RNN layers' (unused) dropout-state buffers memory.

    PaddleSlim's QAT keeps a deep copy of the float model and exports through it; an
    ``nn.LSTM`` copied with its dropout state still unallocated makes that export fail with
    "Tensor holds no memory". The buffer only matters for training-time dropout (0 here).
    """
    for layer in model.sublayers():
        state = getattr(layer, "_dropout_state", None)
        if isinstance(state, paddle.Tensor) and not state._is_initialized():
            paddle.assign(paddle.zeros([1], "uint8"), output=state)


def apply_qat(model: nn.Layer, spec: QuantSpec):
    """Wrap ``model`` for PACT QAT in place; refuse a configuration in which PACT is not active."""
    from paddleslim import QAT

    _initialise_rnn_buffers(model)
    skipped = mark_skipped(model, spec)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        quanter = QAT(qat_config(spec))
        quanter.quantize(model)
    status = pact_status(model)
    if status["quantized_layers"] == 0 or status["pact_layers"] < status["quantized_layers"]:
        print(f"WARNING: PACT is not active on every quantized layer ({status}); PACT QAT would silently "
              "degrade to plain QAT, which is unstable for OCR", file=sys.stderr)
        raise QuantizationError(f"PACT not active on all quantized layers: {status}")
    status["skipped_layers"] = skipped
    return quanter, status


def export_qat(quanter, model: nn.Layer, task: str, out_dir: Path) -> None:
    """``save_quantized_model``, then leave static mode (PaddleSlim leaves Paddle in it)."""
    model.eval()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            quanter.save_quantized_model(model, str(out_dir / "inference"), input_spec=input_spec(model))
    finally:
        paddle.disable_static()


def calibration_batches(task: str, data: TaskData, charset: Charset, batches: int, batch_size: int,
                        det_size: int, rec_shape: tuple[int, int, int] = OCRConfig().rec_image_shape) -> list[np.ndarray]:
    """``batches`` pre-processed input batches of ``task`` drawn from ``data`` (seeded): what
    post-training quantization calibrates activation ranges on."""
    rng = np.random.default_rng(0)
    out = []
    for _ in range(batches):
        idx = rng.choice(len(data), size=batch_size, replace=len(data) < batch_size)
        if task == "rec":
            x, _ = rec_batch(data, idx, charset, *rec_shape[1:])
        elif task == "cls":
            x, _ = cls_batch(data, idx, random_flips(rng, len(idx)))
        else:
            x = det_batch(data, idx, det_size)[0]
        out.append(x.astype(np.float32))
    return out


def post_training_quantize(task: str, float_dir: Path, out_dir: Path, data: TaskData, charset: Charset,
                           recipe: Recipe, config: OCRConfig) -> dict:
    """PaddleSlim ``quant_post_static`` on the float inference model, calibrated on ``data``
    pre-processed with the model family's settings ``config`` (a 48-pixel rec calibrated on
    32-pixel lines would learn the wrong ranges, or fail)."""
    from paddleslim.quant import quant_post_static

    spec = recipe.quant
    batches = calibration_batches(task, data, charset, spec.ptq_batches, recipe.train.batch_size,
                                   recipe.train.det_input_size, config.rec_image_shape)

    class Calibration(paddle.io.Dataset):
        def __getitem__(self, i):
            return batches[i]

        def __len__(self):
            return len(batches)

    ops = list(spec.ptq_op_types)
    if not spec.skip_depthwise:
        ops.append("depthwise_conv2d")
    paddle.enable_static()
    try:
        place = paddle.CPUPlace()
        # A fresh program per call: a second PTQ in one process would clash on the input name.
        with paddle.static.program_guard(paddle.static.Program(), paddle.static.Program()):
            x = paddle.static.data(name="x", shape=[None, *batches[0].shape[1:]], dtype="float32")
            loader = paddle.io.DataLoader(Calibration(), feed_list=[x], places=place, batch_size=None,
                                          return_list=False)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                quant_post_static(paddle.static.Executor(place), str(float_dir), str(out_dir), data_loader=loader,
                                  model_filename=INFER_MODEL, params_filename=INFER_PARAMS,
                                  save_model_filename=INFER_MODEL, save_params_filename=INFER_PARAMS,
                                  batch_nums=len(batches), algo=spec.ptq_algo, quantizable_op_type=ops,
                                  weight_bits=spec.weight_bits, activation_bits=spec.activation_bits,
                                  weight_quantize_type=spec.weight_quantize_type, onnx_format=spec.onnx_format)
    except OSError:  # e.g. a full disk while saving: the caller reports it for the output folder
        raise
    except Exception as e:  # PaddleSlim raises bare errors from deep inside the static graph
        raise QuantizationError(f"{float_dir}: post-training quantization failed ({type(e).__name__}: {e})") from e
    finally:
        paddle.disable_static()
    return {"calibration_batches": len(batches), "algo": spec.ptq_algo, "quantized_op_types": ops}
