"""Atomic writes: the data reaches the disk before the rename, and the rename before return."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from edgeocr.utils import atomic
from edgeocr.utils.atomic import atomic_dir, atomic_path, write_text


@pytest.fixture
def events(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Every fsync (of which path) and rename, in order."""
    seen: list[tuple[str, str]] = []
    real_fsync, real_replace, real_open = os.fsync, os.replace, os.open
    names: dict[int, str] = {}

    def opening(path, flags, *args):
        fd = real_open(path, flags, *args)
        names[fd] = str(path)
        return fd

    monkeypatch.setattr(atomic.os, "open", opening)
    monkeypatch.setattr(atomic.os, "fsync", lambda fd: (seen.append(("fsync", names.get(fd, "?"))), real_fsync(fd)))
    monkeypatch.setattr(atomic.os, "replace", lambda a, b: (seen.append(("rename", str(b))), real_replace(a, b)))
    return seen


def test_file_is_flushed_before_it_is_renamed(tmp_path: Path, events) -> None:
    write_text(tmp_path / "r.json", "{}")
    kinds = [kind for kind, _ in events]
    assert kinds == ["fsync", "rename", "fsync"]
    assert events[0][1].startswith(str(tmp_path / ".r.json.")) and events[2][1] == str(tmp_path)
    assert (tmp_path / "r.json").read_text() == "{}"


def test_folder_contents_are_flushed_before_the_folder_is_renamed(tmp_path: Path, events) -> None:
    with atomic_dir(tmp_path / "out") as tmp:
        (tmp / "a.bin").write_bytes(b"a")
    rename = next(i for i, (kind, _) in enumerate(events) if kind == "rename")
    flushed = [path for kind, path in events[:rename] if kind == "fsync"]
    assert any(p.endswith("a.bin") for p in flushed) and events[-1] == ("fsync", str(tmp_path))


def test_a_failed_write_leaves_the_old_file(tmp_path: Path) -> None:
    write_text(tmp_path / "r.json", "old")
    with pytest.raises(RuntimeError), atomic_path(tmp_path / "r.json") as tmp:
        tmp.write_text("half")
        raise RuntimeError("crash")
    assert (tmp_path / "r.json").read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["r.json"]
