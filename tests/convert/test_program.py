"""The fill_constant repair: needed (the unrepaired rec model aborts the Lite predictor),
sufficient (the repaired one runs and matches), and limited to what it must touch."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from edgeocr.convert.program import op_counts, read_program, repair_scalar_fill_constant, write_program
from edgeocr.errors import ModelError


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


def test_corrupt_program_is_refused(tmp_path) -> None:
    bad = tmp_path / "inference.pdmodel"
    bad.write_bytes(b"\x00garbage" * 10)
    with pytest.raises(ModelError, match="inference.pdmodel"):
        read_program(bad)
    empty = tmp_path / "empty.pdmodel"
    empty.write_bytes(b"")
    with pytest.raises(ModelError, match="missing or empty"):
        read_program(empty)


def test_round_trip_keeps_the_program(pulled_models, tmp_path) -> None:
    desc = read_program(pulled_models.inference_files("det")[0])
    write_program(desc, tmp_path / "m.pdmodel")
    assert op_counts(read_program(tmp_path / "m.pdmodel")) == op_counts(desc)
