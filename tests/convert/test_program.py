"""The fill_constant repair: needed (the unrepaired rec model aborts the Lite predictor),
sufficient (the repaired one runs and matches), and limited to what it must touch."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from edgeocr.convert.program import repair_scalar_fill_constant
from edgeocr.models.program import op_counts, read_program


def test_rec_export_has_four_scalar_fill_constants(pulled_models) -> None:
    desc = read_program(pulled_models.inference_files("rec")[0])
    repair = repair_scalar_fill_constant(desc)
    assert repair is not None and repair.count == 4
    assert repair_scalar_fill_constant(desc) is None  # idempotent
    assert op_counts(desc)["fill_constant"] == 6  # the two shape-tensor ones stay as they are


@pytest.mark.parametrize("task", ["det", "cls"])
def test_det_and_cls_need_no_repair(pulled_models, task) -> None:
    assert repair_scalar_fill_constant(read_program(pulled_models.inference_files(task)[0])) is None


def test_unrepaired_rec_aborts_the_lite_predictor(pulled_models, tmp_path) -> None:
    """Why the repair exists: opt converts the raw export without complaint, the runtime aborts."""
    pdmodel, pdiparams = pulled_models.inference_files("rec")
    code = textwrap.dedent(f"""
        import numpy as np
        from edgeocr.convert.runtimes.lite_opt import run_opt
        from paddlelite.lite import MobileConfig, create_paddle_predictor
        nb = run_opt({str(pdmodel)!r}, {str(pdiparams)!r}, ["x86"], {str(tmp_path / 'raw')!r})
        c = MobileConfig(); c.set_model_from_file(str(nb)); p = create_paddle_predictor(c)
        p.get_input(0).from_numpy(np.zeros((1, 3, 32, 320), np.float32)); p.run()
        print("RAN")
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert proc.returncode != 0 and "RAN" not in proc.stdout
    assert "no valid out_shape" in proc.stdout + proc.stderr


@pytest.fixture(scope="module")
def resaved_v4_rec(family_set, tmp_path_factory):
    """PP-OCRv4's released rec as Paddle 2.6 writes it back (what PaddleSlim's PTQ saves):
    swish without beta, shape ops without XShape."""
    import paddle

    pdmodel = family_set("ppocrv4").inference_files("rec")[0]
    out = tmp_path_factory.mktemp("resaved") / "inference"
    paddle.enable_static()
    try:
        exe = paddle.static.Executor(paddle.CPUPlace())
        prog, feeds, fetches = paddle.static.load_inference_model(str(pdmodel.with_suffix("")), exe)
        paddle.static.save_inference_model(str(out), [prog.global_block().var(f) for f in feeds], fetches, exe,
                                           program=prog)
    finally:
        paddle.disable_static()
    return out.with_suffix(".pdmodel"), out.with_suffix(".pdiparams")


def test_a_paddle_2_6_program_crashes_opt_until_repaired(resaved_v4_rec, tmp_path) -> None:
    from edgeocr.convert.program import REPAIRS
    from edgeocr.convert.runtimes.base import ConversionError
    from edgeocr.convert.runtimes.lite_opt import run_opt
    from edgeocr.models.program import write_program

    pdmodel, pdiparams = resaved_v4_rec
    with pytest.raises(ConversionError, match="paddle_lite_opt failed"):
        run_opt(pdmodel, pdiparams, ["arm"], tmp_path / "raw")
    desc = read_program(pdmodel)
    done = {r.op: r.count for r in (repair(desc) for repair in REPAIRS) if r}
    assert done == {"swish": 7, "XShape": 11}
    assert all(repair(desc) is None for repair in REPAIRS)  # idempotent
    write_program(desc, tmp_path / "fixed.pdmodel")
    assert run_opt(tmp_path / "fixed.pdmodel", pdiparams, ["arm"], tmp_path / "fixed").stat().st_size > 1e6


def test_the_released_v4_programs_need_no_repair(family_set) -> None:
    from edgeocr.convert.program import repair_missing_xshape, repair_swish_beta

    models = family_set("ppocrv4")
    for task in ("det", "cls", "rec"):
        desc = read_program(models.inference_files(task)[0])
        assert repair_swish_beta(desc) is None and repair_missing_xshape(desc) is None
