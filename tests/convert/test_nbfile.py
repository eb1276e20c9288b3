from __future__ import annotations

import pytest

from edgeocr.convert.runtimes.nbfile import read_nb
from edgeocr.errors import ModelError


def test_arm_and_x86_files_describe_themselves(arm_bundle, x86_bundle) -> None:
    arm, x86 = read_nb(arm_bundle / "rec.nb"), read_nb(x86_bundle / "rec.nb")
    assert arm.target == "arm" and x86.target == "x86"
    assert arm.converter_version == x86.converter_version == "v2.13-rc"
    assert arm.int8_kernels == 0 and arm.precision_counts()["float"] > 30
    assert {"conv2d", "rnn", "softmax"} <= set(arm.ops)


def test_non_nb_files_are_refused(tmp_path, pulled_models) -> None:
    with pytest.raises(ModelError, match="not a Paddle-Lite"):
        read_nb(pulled_models.inference_files("det")[0])
    with pytest.raises(ModelError, match="cannot read"):
        read_nb(tmp_path / "missing.nb")


def test_truncated_nb_is_refused(tmp_path, arm_bundle) -> None:
    cut = tmp_path / "cut.nb"
    cut.write_bytes((arm_bundle / "det.nb").read_bytes()[:40])
    with pytest.raises(ModelError, match="cut.nb"):
        read_nb(cut)
