"""Activation quantizers only float ops read: PaddleSlim's exports have them, Paddle-Lite ignores
them, ``edgeocr quantize`` removes them, and ``convert`` names any left in a user's model."""

from __future__ import annotations

import pytest

from edgeocr.compress import job
from edgeocr.compress.unread_quantizers import INT8_READERS, drop_unread_quantizers, unread_quantizers
from edgeocr.convert.bundle import convert_bundle
from edgeocr.convert.runtimes.nbfile import read_nb
from edgeocr.models.modelset import INFER_MODEL, ModelSet
from edgeocr.models.program import read_program
from edgeocr.targets import load_target
from tests.compress.conftest import small


@pytest.fixture(scope="module")
def raw_and_exported(pulled_models, tmp_path_factory):
    """The same PTQ classifier twice: as PaddleSlim saves it, and as ``edgeocr quantize`` exports it."""
    root = tmp_path_factory.mktemp("unread")
    recipe = small("cls", "ptq")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(job, "drop_unread_quantizers_in", lambda _path: [])
        job.quantize("cls", recipe, root / "raw")
    report = job.quantize("cls", recipe, root / "exported")
    return root / "raw", root / "exported", report


def _int8_inputs(desc) -> list[tuple[str, str]]:
    """(op type, input) of every op with int8 weights reading an activation through dequantize_linear."""
    block = desc.blocks[0]
    persistable = {v.name for v in block.vars if v.persistable}
    weights, activations = set(), set()
    for op in block.ops:
        if op.type == "dequantize_linear":
            source = next(v.arguments[0] for v in op.inputs if v.parameter == "X")
            (weights if source in persistable else activations).update(a for v in op.outputs for a in v.arguments)
    int8 = [op for op in block.ops if any(a in weights for v in op.inputs for a in v.arguments)]
    return [(op.type, a) for op in int8 for v in op.inputs for a in v.arguments if a in activations]


def test_paddleslim_rounds_activations_that_only_float_ops_read(raw_and_exported) -> None:
    raw, _, _ = raw_and_exported
    found = unread_quantizers(read_program(raw / INFER_MODEL))
    readers = {r for q in found for r in q.readers}
    assert found and {"batch_norm", "elementwise_add"} <= readers
    # int8-capable types appear only where the recipe keeps the weights float (depthwise, head fc)
    assert readers & INT8_READERS == {"depthwise_conv2d", "matmul_v2"}


def test_quantize_exports_none_and_reports_what_it_removed(raw_and_exported) -> None:
    raw, exported, report = raw_and_exported
    assert unread_quantizers(read_program(exported / INFER_MODEL)) == []
    removed = report["compression"]["unread_quantizers"]
    assert removed["count"] == len(unread_quantizers(read_program(raw / INFER_MODEL))) > 0
    assert removed["float_readers"]["batch_norm"] > 0


def test_every_int8_op_still_reads_a_rounded_input(raw_and_exported) -> None:
    raw, exported, _ = raw_and_exported
    before, after = (_int8_inputs(read_program(d / INFER_MODEL)) for d in (raw, exported))
    assert after == before and before


def test_dropping_is_idempotent(raw_and_exported) -> None:
    raw, _, _ = raw_and_exported
    desc = read_program(raw / INFER_MODEL)
    assert drop_unread_quantizers(desc)
    assert drop_unread_quantizers(desc) == [] and unread_quantizers(desc) == []


def test_paddle_lite_builds_the_same_kernels_either_way(raw_and_exported, tmp_path) -> None:
    """Paddle-Lite deletes those quantizers itself: the ARM program is the same op for op, kernel
    for kernel (on real ARM kernels the outputs are bit-identical: tests/verify/test_run.py)."""
    raw, exported, _ = raw_and_exported
    target = load_target("armlinux-aarch64")
    kernels = [read_nb(convert_bundle(ModelSet.load("ppocrv2", cls_model=d), target, tmp_path / d.name).path
                       / "cls.nb").kernels for d in (raw, exported)]
    assert kernels[0] == kernels[1] and ("conv2d", "arm", "int8") in kernels[0]


def test_convert_names_quantizers_left_in_a_users_model(raw_and_exported, tmp_path) -> None:
    raw, exported, _ = raw_and_exported
    target = load_target("armlinux-aarch64")
    said: list[str] = []
    bundle = convert_bundle(ModelSet.load("ppocrv2", cls_model=raw), target, tmp_path / "raw", progress=said.append)
    warning = next(s for s in said if "warning" in s)
    assert warning.startswith("cls: warning: ") and str(raw / INFER_MODEL) in warning
    assert "read by float ops (batch_norm" in warning and "Paddle-Lite does not" in warning
    assert bundle.manifest["models"]["cls"]["unread_quantizers"]["count"] > 0
    said.clear()
    clean = convert_bundle(ModelSet.load("ppocrv2", cls_model=exported), target, tmp_path / "clean",
                           progress=said.append)
    assert not [s for s in said if "warning" in s] and "unread_quantizers" not in clean.manifest["models"]["cls"]
