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
