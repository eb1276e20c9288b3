from __future__ import annotations

import pytest

from edgeocr.targets import list_targets, load_target
from edgeocr.errors import InputError


def test_profiles_cover_the_documented_targets() -> None:
    names = {t.name for t in list_targets()}
    assert names == {"arm64-v8a", "armeabi-v7a", "armlinux-aarch64", "x86_64"}
    arm = load_target("arm64-v8a")
    assert arm.runtime.places == ("arm",) and arm.abi == "arm64-v8a" and "libc++_shared.so" in arm.runtime.extra_libraries
    assert load_target("x86_64").runs_on_host and not arm.runs_on_host


def test_unknown_target_lists_valid_ones() -> None:
    with pytest.raises(InputError, match="valid targets: arm64-v8a, armeabi-v7a"):
        load_target("arm64")


def test_profile_typo_is_an_error(tmp_path, monkeypatch) -> None:
    (tmp_path / "board.yml").write_text(
        "name: board\ndescription: x\nos: linux\nabi: aarch64\narch: aarch64\nlite_place: [arm]\n"
        "runtime: {version: v2.13-rc, library: l.so, extra_libraries: [], release: r}\n")
    monkeypatch.setenv("EDGEOCR_TARGETS", str(tmp_path))
    with pytest.raises(InputError, match=r"board.yml: unknown keys \['lite_place'\]"):
        load_target("board")
