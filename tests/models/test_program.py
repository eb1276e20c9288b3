"""Reading and writing inference programs: corrupt files are named, a round trip keeps the program."""

from __future__ import annotations

import pytest

from edgeocr.errors import ModelError
from edgeocr.models.program import op_counts, read_program, write_program


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
