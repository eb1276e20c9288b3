from __future__ import annotations

import pytest

from edgeocr.convert.bundle import convert_bundle
from edgeocr.convert.targets import load_target


@pytest.fixture(scope="session")
def x86_bundle(pulled_models, tmp_path_factory):
    """The real PP-OCRv2 set converted for this host's Paddle-Lite runtime."""
    return convert_bundle(pulled_models, load_target("x86_64"), tmp_path_factory.mktemp("b") / "x86")


@pytest.fixture(scope="session")
def arm_bundle(pulled_models, tmp_path_factory):
    return convert_bundle(pulled_models, load_target("arm64-v8a"), tmp_path_factory.mktemp("b") / "arm")
