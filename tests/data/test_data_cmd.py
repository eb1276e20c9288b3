"""``edgeocr data synth`` and ``edgeocr data check`` from the command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from edgeocr.cli.main import cli


def _edgeocr(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "edgeocr.cli.main", *args], capture_output=True, text=True)


def test_synth_then_check(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "det"
    result = runner.invoke(cli, ["data", "synth", "--kind", "det", "--count", "2", "--out", str(out), "--seed", "4"])
    assert result.exit_code == 0, result.output
    assert "synth det" in result.stderr  # the progress bar goes to stderr
    assert sorted(p.name for p in out.iterdir()) == ["images", "labels.txt", "synth.json"]
    assert json.loads((out / "synth.json").read_text())["seed"] == 4

    summary = tmp_path / "summary.json"
    result = runner.invoke(cli, ["data", "check", str(out / "labels.txt"), "--kind", "det", "--json", str(summary)])
    assert result.exit_code == 0, result.output
    assert "| images | regions | dont_care |" in result.output
    data = json.loads(summary.read_text())
    assert data["images"] == 2 and data["regions"] >= 4 and data["dont_care"] == 0


def test_existing_output_and_bad_labels_give_one_line_errors(tmp_path: Path) -> None:
    out = tmp_path / "rec"
    out.mkdir()
    (out / "something").write_text("x")
    result = _edgeocr("data", "synth", "--kind", "rec", "--count", "1", "--out", str(out))
    assert result.returncode != 0
    assert result.stderr.strip() == f"edgeocr: error: {out}: already exists and is not empty (pass --force to replace it)"

    labels = tmp_path / "labels.txt"
    labels.write_text("a.jpg no tab\n", encoding="utf-8")
    result = _edgeocr("data", "check", str(labels), "--kind", "rec")
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [f"edgeocr: error: {labels}:1: malformed line: no TAB between image path and label"]
