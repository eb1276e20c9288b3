"""The runner contract: the validator accepts what the contract defines and names the first
place a result breaks it; options survive the command line; error objects are found."""

from __future__ import annotations

import copy
import json

import pytest

from edgeocr.runner.contract import (
    MODES,
    PROBE_SCHEMA,
    STAGES,
    ContractError,
    RunnerError,
    RunOptions,
    build_parser,
    options_from_args,
    parse_error,
    validate_probe,
    validate_result,
)
from tests.runner.samples import entry, line, result


def valid(mode: str = "det_cls_rec") -> dict:
    lines = [line("雨果咖啡店", (10, 10, 80, 20)), line("low", (10, 50, 30, 20), score=0.1)]
    return result([entry("a.jpg", lines, (10.0, 11.0), mode, warmup=2), entry("b.png", [], (9.0, 9.5), mode, warmup=2)],
                  mode, warmup=2)


@pytest.mark.parametrize("mode", MODES)
def test_valid_results_pass_in_every_mode(mode: str) -> None:
    obj = valid(mode)
    assert validate_result(obj) is obj
    obj["extra"] = {"runners may": "report more"}
    validate_result(obj)


def test_rec_per_line_may_be_null_but_total_may_not() -> None:
    obj = valid()
    obj["images"][1]["runs_ms"][0]["rec_per_line"] = None
    validate_result(obj)
    obj["images"][1]["runs_ms"][0]["total"] = None
    with pytest.raises(ContractError, match=r"images\[1\]\.runs_ms\[0\]\.total: expected a number >= 0, got null"):
        validate_result(obj)


def broken(edit) -> dict:
    obj = copy.deepcopy(valid())
    edit(obj)
    return obj


@pytest.mark.parametrize("edit, where", [
    (lambda o: o.update(schema="edgeocr-runner-result/0"), r"runner output\.schema: expected 'edgeocr-runner-result/1'"),
    (lambda o: o.pop("init_ms"), r"runner output: missing key 'init_ms'"),
    (lambda o: o.update(init_ms=-1), r"init_ms: expected a number >= 0"),
    (lambda o: o.update(init_ms=float("nan")), r"init_ms: expected a number >= 0"),
    (lambda o: o.update(peak_rss_kb=True), r"peak_rss_kb: expected int or null"),
    (lambda o: o["applied"].update(threads="yes"), r"applied\.threads: expected bool"),
    (lambda o: o["runner"].pop("backend"), r"runner: missing key 'backend'"),
    (lambda o: o["options"].update(threads=0), r"options: threads >= 1"),
    (lambda o: o["options"].update(mode="det"), r"options: mode 'det' is not one of"),
    (lambda o: o.update(images=[]), r"images: no images"),
    (lambda o: o["images"][0]["runs_ms"].pop(), r"images\[0\]\.runs_ms: expected 2 entries \(--repeats\)"),
    (lambda o: o["images"][1]["warmup_ms"].append(1.0), r"images\[1\]\.warmup_ms: expected 2 entries"),
    (lambda o: o["images"][0]["runs_ms"][1].pop("cls"), r"images\[0\]\.runs_ms\[1\]: stages must be"),
    (lambda o: o["images"][0]["runs_ms"][1].update(det_infer="3"), r"runs_ms\[1\]\.det_infer: expected a number"),
    (lambda o: o["images"][0]["lines"][0].update(box=[[0, 0], [1, 1], [2, 2]]), r"lines\[0\]\.box: expected 4"),
    (lambda o: o["images"][0]["lines"][1].update(score=None), r"lines\[1\]\.score: expected number"),
    (lambda o: o["images"][0].update(consistent=1), r"images\[0\]\.consistent: expected bool"),
])
def test_broken_results_are_refused_naming_the_place(edit, where: str) -> None:
    with pytest.raises(ContractError, match=where):
        validate_result(broken(edit))


def test_stages_must_match_the_mode() -> None:
    obj = valid("det_rec")
    obj["images"][0]["runs_ms"][0] = {stage: 1.0 for stage in STAGES["det_cls_rec"]}
    with pytest.raises(ContractError, match=r"stages must be .* for mode det_rec"):
        validate_result(obj)


def test_options_survive_the_command_line() -> None:
    options = RunOptions(bundle="/d/my bundle", images="/d/im", out="/d/r.json", threads=4, power_mode="rand_low",
                         warmup=0, repeats=3, mode="rec")
    parsed = build_parser("runner", "test").parse_args(options.argv())
    assert options_from_args(parsed) == options
    assert "--bundle" not in RunOptions(bundle=None, images="i", out="o").argv()


@pytest.mark.parametrize("argv, message", [
    (["--images", "i"], "missing --out"),
    (["--images", "i", "--out", "o", "--repeats", "0"], "repeats >= 1"),
    (["--images", "i", "--out", "o", "--power-mode", "turbo"], "invalid choice: 'turbo'"),
    (["--images", "i", "--out", "o", "--threads", "two"], "invalid int value"),
])
def test_bad_command_lines_raise_instead_of_exiting(argv: list[str], message: str) -> None:
    with pytest.raises(ContractError, match=message):
        options_from_args(build_parser("runner", "test").parse_args(argv))


def test_error_objects() -> None:
    error = RunnerError("model", "det.nb: truncated")
    assert error.to_json() == {"error": {"code": "model", "message": "det.nb: truncated"}}
    stdout = "log line\n" + json.dumps(error.to_json()) + "\n"
    found = parse_error(stdout)
    assert (found.code, str(found)) == ("model", "det.nb: truncated")
    assert parse_error('{"error": {"code": "nonsense", "message": "x"}}') is None
    assert parse_error('{"schema": "x"}\n') is None
    assert parse_error("Segmentation fault") is None
    with pytest.raises(ValueError):
        RunnerError("oops", "unknown codes are a bug")


def test_probe_answers() -> None:
    answer = {"schema": PROBE_SCHEMA, "runner": {"name": "r", "version": "1", "backend": "lite"},
              "runtime_version": "v2.13-rc"}
    assert validate_probe(answer) is answer
    with pytest.raises(ContractError, match="probe: missing key 'runtime_version'"):
        validate_probe({"schema": PROBE_SCHEMA, "runner": answer["runner"]})
