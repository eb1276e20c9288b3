"""Paddle Inference on the CPU: the runtime PaddleOCR's ``tools/infer`` scripts use.

Runs the exported ``inference.pdmodel`` / ``inference.pdiparams`` of each task, configured
as PaddleOCR's ``utility.create_predictor`` does for the CPU (no MKL-DNN). Inputs of any
height and width go straight in: Paddle Inference re-plans per shape, so det images and
rec batches of different widths need no padding to a fixed size.
"""

from __future__ import annotations

import numpy as np

from edgeocr.errors import ModelError
from edgeocr.models.modelset import ModelSet
from edgeocr.ocr.backends.base import Backend

# fuse passes PaddleOCR's create_predictor deletes; off here too so outputs match its runs
_UNSAFE_PASSES = ("conv_transpose_eltwiseadd_bn_fuse_pass", "matmul_transpose_reshape_fuse_pass")


class PaddleInferenceBackend(Backend):
    """One Paddle Inference predictor per task, created on first use."""

    name = "paddle"
    accepts = (ModelSet,)

    def __init__(self, models: ModelSet, threads: int = 2) -> None:
        super().__init__(models, threads)
        self._predictors: dict[str, object] = {}

    def infer(self, task: str, batch: np.ndarray) -> np.ndarray:
        predictor = self._predictor(task)
        input_handle = predictor.get_input_handle(predictor.get_input_names()[0])
        input_handle.reshape(batch.shape)
        input_handle.copy_from_cpu(np.ascontiguousarray(batch, dtype=np.float32))
        predictor.run()
        return predictor.get_output_handle(predictor.get_output_names()[0]).copy_to_cpu()

    def _predictor(self, task: str):
        if task not in self._predictors:
            self._predictors[task] = self._create(task)
        return self._predictors[task]

    def _create(self, task: str):
        from paddle import inference  # heavy import, paid only when this backend runs

        model_file, params_file = self.models.inference_files(task)
        config = inference.Config(str(model_file), str(params_file))
        config.disable_gpu()
        config.set_cpu_math_library_num_threads(self.threads)
        config.enable_memory_optim()
        config.disable_glog_info()
        for pass_name in _UNSAFE_PASSES:
            config.delete_pass(pass_name)
        config.switch_use_feed_fetch_ops(False)
        config.switch_ir_optim(True)
        try:
            return inference.create_predictor(config)
        except Exception as e:  # Paddle raises its own enforce errors for corrupt programs/params
            raise ModelError(f"{model_file}: Paddle Inference cannot load the {task} model ({_first_line(e)})") from e


def _first_line(error: Exception) -> str:
    """Paddle's errors carry a C++ stack trace; the first non-empty line says what went wrong."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines[0] if lines else type(error).__name__
