"""ONNX Runtime: inference models -> ``.onnx`` files by ``paddle2onnx``, preflighted on the
pinned ONNX Runtime.

``paddle2onnx`` runs as a subprocess because it aborts the whole process on an op it cannot
export; its message names the ops, and that becomes the error. Int8 bundles are made from
the float models by ONNX Runtime's own static quantization (``ort_quantize``): PaddleSlim's
int8 programs do export as QDQ graphs, but measured against Paddle Inference on the same
inputs they compute something else (PP-OCRv2 rec PTQ: 0 of 60 eval lines read as Paddle
Inference reads 51; cls PACT: outputs up to 0.47 apart), so they are refused rather than
shipped wrong. The preflight then loads the file with ONNX Runtime's CPU provider and
graph optimisations on: that fails, naming the node, when the runtime version has no kernel
for an op, and its optimised graph shows how many QDQ units really fuse into int8 kernels.
The preflight's runtime must not be newer than the target's, or passing it would prove
nothing for the device.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from edgeocr.models.program import is_quantized, read_program
from edgeocr.convert.runtimes.base import ConversionError, Converter, console_script
from edgeocr.convert.runtimes.onnx_weights import fold_weight_quantization
from edgeocr.convert.runtimes.ort_quantize import quantize_static_qdq
from edgeocr.convert.runtimes.onnxfile import INT8_KERNEL_OPS, OnnxInfo, read_onnx
from edgeocr.models.modelset import ONNX_FILE, ModelSet
from edgeocr.targets import Target
from edgeocr.utils.versions import release_key

OPSET = 13  # at least (paddle2onnx raises it where an op needs more); per-channel DequantizeLinear needs 13
TIMEOUT_S = 600
_UNSUPPORTED = re.compile(r"not supported yet, including ([^\n]*)")


def host_runtime_version() -> str:
    """The pinned ONNX Runtime this host preflights and runs ONNX bundles with."""
    import onnxruntime

    return onnxruntime.__version__


def exporter_version() -> str:
    import paddle2onnx

    return paddle2onnx.__version__


def export_onnx(pdmodel: Path, pdiparams: Path, out: Path) -> Path:
    """``paddle2onnx`` of one inference model to ``out``; unsupported ops are named."""
    if pdmodel.parent != pdiparams.parent:
        raise ConversionError(f"{pdmodel}: paddle2onnx needs the model and its parameters in one folder")
    cmd = [console_script("paddle2onnx", "paddle2onnx"), "--model_dir", str(pdmodel.parent), "--model_filename", pdmodel.name,
           "--params_filename", pdiparams.name, "--save_file", str(out), "--opset_version", str(OPSET),
           "--enable_onnx_checker", "True", "--deploy_backend", "onnxruntime"]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired as e:
        raise ConversionError(f"{pdmodel}: paddle2onnx timed out after {TIMEOUT_S}s") from e
    text = proc.stdout + proc.stderr
    unsupported = _UNSUPPORTED.search(text)
    if unsupported:
        ops = ", ".join(o.strip() for o in unsupported.group(1).split(",") if o.strip())
        raise ConversionError(f"{pdmodel}: ONNX export cannot convert these ops: {ops}")
    if proc.returncode != 0 or "convert failed" in text or not out.is_file() or out.stat().st_size == 0:
        tail = "\n".join(text.strip().splitlines()[-8:])
        raise ConversionError(f"{pdmodel}: paddle2onnx failed (exit {proc.returncode}):\n{tail}")
    return out


def preflight(path: Path, optimized: Path) -> int:
    """Load ``path`` as the runtime will (CPU provider, extended optimisations); return how many
    int8 kernels its optimised graph has. A node the runtime cannot run is a ``ConversionError``."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
    options.optimized_model_filepath = str(optimized)
    options.log_severity_level = 3
    try:
        ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    except Exception as e:  # ORT raises NotImplemented / Fail / InvalidGraph with the node's name
        raise ConversionError(f"{path}: ONNX Runtime {host_runtime_version()} cannot run this model: {e}") from None
    return sum(n for op, n in read_onnx(optimized).ops.items() if op in INT8_KERNEL_OPS)


def _store_int8_weights(path: Path) -> list[dict]:
    import onnx

    model = onnx.load(str(path))
    repair = fold_weight_quantization(model)
    if repair is None:
        return []
    onnx.save(model, str(path))
    return [repair]


class OnnxRuntimeConverter(Converter):
    """``calibration`` (task -> input batches) quantizes those float models with ONNX Runtime's
    own static quantization after export (``edgeocr.convert.runtimes.ort_quantize``)."""

    runtime = "onnxruntime"
    tool = "paddle2onnx"
    suffix = ".onnx"

    def __init__(self, calibration: Mapping[str, Sequence[np.ndarray]] | None = None) -> None:
        self.calibration = dict(calibration or {})

    def options(self) -> dict:
        if not self.calibration:
            return {}
        digest = {t: hashlib.sha256(b"".join(np.ascontiguousarray(b).tobytes() for b in bs)).hexdigest()
                  for t, bs in sorted(self.calibration.items())}
        return {"onnxruntime_static_quantization": {"calibration_sha256": digest}}

    def version(self, target: Target) -> str:
        """The ONNX Runtime version the preflight ran (the device's runtime must be at least it)."""
        here, there = host_runtime_version(), target.runtime.version
        if release_key(here) > release_key(there):
            raise ConversionError(f"target {target.name} runs ONNX Runtime {there}, older than this host's {here}: the "
                                  f"preflight would not prove the device can run the models; install "
                                  f"onnxruntime=={there} here or raise the target's runtime version")
        return here

    def tool_version(self) -> str:
        return exporter_version()

    def convert(self, task: str, models: ModelSet, target: Target, workdir: Path, out_prefix: Path) -> dict:
        if models.has_paddle_model(task):
            exported, quantized = self._export(task, models, workdir)
            exporter = f"paddle2onnx {exporter_version()}"
        else:  # released as ONNX only (PP-OCRv5): preflighted and shipped as it is
            exported = models.location(task) / ONNX_FILE
            quantized = read_onnx(exported).precision_counts().get("int8", 0) > 0
            exporter = "none (the source model is ONNX)"
        quantization = None
        if task in self.calibration:
            static = workdir / f"{task}.int8.onnx"
            quantization = quantize_static_qdq(exported, static, self.calibration[task])
            exported, quantized = static, True
        repairs = _store_int8_weights(exported) if quantized else []
        int8_kernels = preflight(exported, workdir / f"{task}.optimized.onnx")
        info = read_onnx(exported)
        out = out_prefix.with_suffix(self.suffix)
        shutil.copyfile(exported, out)
        return {"file": out.name, "quantized": quantized, "repairs": repairs, "opset": info.opset, "exporter": exporter,
                "kernel_precisions": info.precision_counts(), "ort_int8_kernels": int8_kernels,
                "ops": sorted(info.ops), **({"quantization": quantization} if quantization else {})}

    def _export(self, task: str, models: ModelSet, workdir: Path) -> tuple[Path, bool]:
        """``paddle2onnx`` of a float Paddle model (int8 Paddle models are refused: see the message)."""
        pdmodel, pdiparams = models.inference_files(task)
        quantized = is_quantized(read_program(pdmodel))
        if quantized:
            raise ConversionError(
                f"{pdmodel}: a PaddleSlim int8 model; paddle2onnx {exporter_version()} exports such models to QDQ graphs "
                "that disagree with Paddle Inference (measured on PP-OCRv2: rec PTQ 0/60 eval lines as Paddle "
                "Inference reads them, cls PACT outputs up to 0.47 apart), so the bundle would be silently wrong. "
                f"Convert the float {task} model and quantize it with ONNX Runtime's own static quantization: "
                f"--ort-quantize {task}=LABELS")
        return export_onnx(Path(pdmodel), Path(pdiparams), workdir / f"{task}.onnx"), False

    def describe(self, path: str | os.PathLike) -> OnnxInfo:
        return read_onnx(path)
