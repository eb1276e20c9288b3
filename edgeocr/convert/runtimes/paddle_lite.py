"""Paddle-Lite: inference models -> ``.nb`` naive-buffer files by ``paddle_lite_opt``, with the
preflight and program repairs ``opt`` itself does not do."""

from __future__ import annotations

import os
from pathlib import Path

from edgeocr.compress.unread_quantizers import summary, unread_quantizers
from edgeocr.convert.program import REPAIRS, int8_fc_with_a_row_per_image
from edgeocr.convert.runtimes.base import ConversionError, Converter
from edgeocr.convert.runtimes.lite_opt import converter_version, run_opt, supported_ops
from edgeocr.convert.runtimes.nbfile import NbInfo, read_nb
from edgeocr.models.modelset import ModelSet
from edgeocr.models.program import is_quantized, op_counts, read_program, write_program
from edgeocr.targets import Target

# Quantization ops have no kernels of their own: opt's quantization passes fold them into
# int8 kernels, so --print_model_ops lists them as unsupported although they convert.
QUANT_PASS_OPS = {
    "quantize_linear", "dequantize_linear", "moving_average_abs_max_scale",
    "fake_quantize_abs_max", "fake_quantize_range_abs_max", "fake_quantize_moving_average_abs_max",
    "fake_channel_wise_quantize_abs_max", "fake_dequantize_max_abs", "fake_channel_wise_dequantize_max_abs",
    "fake_quantize_dequantize_moving_average_abs_max", "fake_quantize_dequantize_abs_max",
    "fake_channel_wise_quantize_dequantize_abs_max",
}


class PaddleLiteConverter(Converter):
    runtime = "paddle-lite"
    tool = "paddle_lite_opt"
    suffix = ".nb"

    def version(self, target: Target) -> str:
        """``opt``'s version: the runtime on the device must be exactly it."""
        return converter_version()

    def convert(self, task: str, models: ModelSet, target: Target, workdir: Path, out_prefix: Path) -> dict:
        pdmodel, pdiparams = models.inference_files(task)
        desc = read_program(pdmodel)
        ops = op_counts(desc)
        places = list(target.runtime.places)
        missing = sorted(set(ops) - supported_ops(pdmodel, pdiparams, places) - QUANT_PASS_OPS)
        if missing:
            raise ConversionError(f"{pdmodel}: target {target.name} ({','.join(places)}) cannot run "
                                  f"these ops: {', '.join(missing)}")
        if "arm" in places:
            _refuse_int8_fc_per_image(pdmodel, desc)
        repairs = [r.to_json() for r in (repair(desc) for repair in REPAIRS) if r]
        if repairs:
            repaired = workdir / f"{task}.pdmodel"
            write_program(desc, repaired)
            pdmodel = repaired
        nb = read_nb(run_opt(pdmodel, pdiparams, places, out_prefix))
        expected = "x86" if "x86" in places else "arm"
        if nb.target != expected:
            raise ConversionError(f"{nb.path}: converter produced {nb.target} kernels, target {target.name} needs "
                                  f"{expected}")
        unread = unread_quantizers(desc)
        return {"file": Path(nb.path).name, "quantized": is_quantized(desc), "repairs": repairs,
                "kernel_precisions": nb.precision_counts(), "ops": sorted(ops),
                **(_unread_entries(pdmodel, summary(unread)) if unread else {})}

    def describe(self, path: str | os.PathLike) -> NbInfo:
        return read_nb(path)


def _unread_entries(pdmodel: Path, unread: dict) -> dict:
    """Manifest entries for a model with unread quantizers (``summary``): the figures and the warning."""
    return {"unread_quantizers": unread, "warnings": [
        f"{pdmodel}: {unread['count']} activation quantizer(s) are read by float ops "
        f"({', '.join(unread['float_readers'])}): Paddle Inference rounds there, Paddle-Lite "
        "does not, so this bundle computes something other than the model measured on the host and `edgeocr "
        "verify` will hold it to that model. Models from `edgeocr quantize` have none (removed at export)"]}


def _refuse_int8_fc_per_image(pdmodel: Path, desc) -> None:
    fcs = int8_fc_with_a_row_per_image(desc)
    if fcs:
        raise ConversionError(
            f"{pdmodel}: int8 fully connected layer(s) with one row per image ({', '.join(fcs)}): Paddle-Lite "
            f"{converter_version()}'s ARM int8 fc prepares its weights for the first input's row count, so a "
            "predictor whose batch switches between 1 and more images returns wrong results from then on "
            "(measured on the direction classifier: upright crops turned). Keep that layer float: PACT "
            "quant.skip_layers (e.g. ['head.'], as quant/cls_pact.yml), PTQ quant.ptq_op_types without the "
            "matmul ops (as quant/cls_ptq.yml)")
