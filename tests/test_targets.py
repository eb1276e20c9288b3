from __future__ import annotations

import pytest

from edgeocr.targets import list_targets, load_target
from edgeocr.errors import InputError

BOARD = ("name: board\ndescription: x\nos: linux\nabi: aarch64\narch: aarch64\n"
         "runtimes:\n  {runtime}: {{version: v2.13-rc, places: [arm], library: l.so, extra_libraries: [], release: r}}\n")


def test_profiles_cover_the_documented_targets() -> None:
    names = {t.name for t in list_targets()}
    assert names == {"arm64-v8a", "armeabi-v7a", "armlinux-aarch64", "x86_64"}
    arm = load_target("arm64-v8a")
    assert arm.runtime.places == ("arm",) and arm.abi == "arm64-v8a" and "libc++_shared.so" in arm.runtime.extra_libraries
    assert load_target("x86_64").runs_on_host and not arm.runs_on_host


def test_every_target_runs_both_runtimes_paddle_lite_by_default() -> None:
    for target in list_targets():
        assert [r.name for r in target.runtimes] == ["paddle-lite", "onnxruntime"]
        assert target.runtime.name == "paddle-lite"
        ort = load_target(target.name, runtime="onnxruntime").runtime
        assert ort.name == "onnxruntime" and ort.places == ("cpu",) and ort.library.startswith("libonnxruntime.so")
    assert load_target("armlinux-aarch64", runtime="onnxruntime").runtime.version == "1.23.2"


def test_unknown_runtime_of_a_target_lists_its_runtimes() -> None:
    with pytest.raises(InputError, match="target x86_64 has no 'tflite' runtime .*paddle-lite, onnxruntime"):
        load_target("x86_64", runtime="tflite")


def test_unknown_target_lists_valid_ones() -> None:
    with pytest.raises(InputError, match="valid targets: arm64-v8a, armeabi-v7a"):
        load_target("arm64")


def test_profile_typo_is_an_error(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("EDGEOCR_TARGETS", str(tmp_path))
    (tmp_path / "board.yml").write_text(BOARD.format(runtime="paddle-lite") + "lite_place: [arm]\n")
    with pytest.raises(InputError, match=r"board.yml: unknown keys \['lite_place'\]"):
        load_target("board")
    (tmp_path / "board.yml").write_text(BOARD.format(runtime="tensorrt"))
    with pytest.raises(InputError, match=r"board.yml: unknown runtime 'tensorrt'"):
        load_target("board")
    (tmp_path / "board.yml").write_text(BOARD.format(runtime="onnxruntime").replace("release: r", "relase: r"))
    with pytest.raises(InputError, match=r"board.yml: runtimes.onnxruntime must have exactly the keys"):
        load_target("board")
