"""What a benchmark leaves behind: tables for people, files for programs, plots for both.

- per device, ``<device>.json`` (written by the sweep): the stamp and every configuration;
- ``summary.csv``: one row per device x configuration, every statistic of every stage,
  accuracy and parity figures;
- ``report.md``: how it was measured, then the tables;
- ``plots/<device>-latency.png``: distribution of end-to-end latency per configuration;
- ``plots/latency-vs-accuracy.png``: median latency against the headline accuracy metric,
  one colour per model kind (float / int8 / pruned ...);
- ``plots/work-per-stage.png``: on emulated devices, the aarch64 instructions per image by
  stage (threads 1) — the deterministic ARM cost, where emulated latency means nothing.

``edgeocr report`` builds the same rows from several result files and adds ratios against
a baseline row (speed-up, size, memory, accuracy difference). Every row keeps how it was
measured (device, transport, warm-up, repeats, whether threads and power mode were really
applied); a ratio against a baseline measured otherwise is still given, but its row says
what differs in ``measured_unlike`` — a speed-up between a phone and this host, or between
1 and 50 repeats, is not a speed-up of the models.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path
from typing import Any, Mapping, Sequence

from edgeocr.bench.stats import FIGURES
from edgeocr.errors import InputError
from edgeocr.utils.atomic import atomic_path, write_json, write_text
from edgeocr.utils.jsonfile import read_json_object
from edgeocr.utils.table import markdown_table

Result = Mapping[str, Any]
RESULT_FORMAT = "edgeocr-bench/1"


#: The side-by-side table of ``edgeocr report`` and of ``bench`` with several bundles.
COMPARISON_COLUMNS = ["device", "transport", "models", "size_mb", "runtime", "threads", "power_mode", "applied",
                      "warmup", "repeats", "init_ms", "peak_rss_mb", "total_median_ms", "total_p90_ms", "work_minsn",
                      "metric", "accuracy", "parity_text", "speedup", "size_x", "rss_x", "work_x", "accuracy_delta",
                      "measured_unlike"]


def load_result(path: str | os.PathLike) -> dict[str, Any]:
    """A bench result file, checked to be one."""
    p = Path(path)
    result = read_json_object(p, "bench result", InputError)
    if result.get("format") != RESULT_FORMAT:
        raise InputError(f"{p}: not an edgeocr bench result (expected format {RESULT_FORMAT!r})")
    return result


def _label(result: Result) -> dict[str, Any]:
    stamp = result["stamp"]
    payload, runner = stamp["payload"], stamp.get("runner", {})
    return {
        "device": stamp["device"]["name"],
        "transport": stamp["device"]["transport"],
        "models": payload["label"] + (" (host-only paddle)" if payload["kind"] == "models" else ""),
        "size_mb": payload["size_bytes"] / 1e6,
        "runtime": " ".join(filter(None, [payload.get("manifest", {}).get("target", {}).get("runtime", {}).get("name"),
                                          stamp.get("runtime_version")])),
        "runner": f"{runner.get('kind', '?')}/{runner.get('backend', '?')}",
    }


def _applied(applied: Mapping[str, bool]) -> str:
    return ",".join(k for k, on in applied.items() if on) or "none"


def headline(config: Mapping[str, Any]) -> tuple[str | None, float | None]:
    """The configuration's headline accuracy metric and value (e2e Hmean or rec accuracy)."""
    acc = config.get("accuracy")
    if not acc:
        return None, None
    return acc["headline"], acc["metrics"][acc["headline"]]


def _config_base(result: Result, config: Mapping[str, Any]) -> dict[str, Any]:
    """What identifies a row: device, models, runner and the configuration, how it was
    measured, with its init time and peak memory."""
    rss, options = config["peak_rss_kb"], result["stamp"]["options"]
    return {
        **_label(result),
        "threads": config["threads"],
        "power_mode": config["power_mode"],
        "applied": _applied(config["applied"]),
        "warmup": options["warmup"],
        "repeats": options["repeats"],
        "init_ms": config["init_ms"],
        "peak_rss_mb": rss * 1024 / 1e6 if rss is not None else None,  # VmHWM is in KiB
    }


def _work(config: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The configuration's instruction counts when they can be compared (threads 1), else None."""
    work = config.get("work") or {}
    return work if work.get("comparable") else None


def config_rows(result: Result) -> list[dict[str, Any]]:
    """One summary row per configuration of a result file."""
    rows = []
    for config in result["configs"]:
        lat = config["latency_ms"]
        metric, value = headline(config)
        work = _work(config)
        rows.append({
            **_config_base(result, config),
            **{f"total_{fig}_ms": lat["total"][fig] for fig in ("median", "p90", "p99")},
            **{f"{stage}_median_ms": lat[stage]["median"] for stage in ("det_infer", "rec") if stage in lat},
            "metric": metric,
            "accuracy": value,
            "parity_text": config["parity"].get("text_agreement"),
            "parity_box": config["parity"].get("box_agreement"),
            "work_minsn": work["per_image_median"] / 1e6 if work else None,
        })
    return rows


def csv_rows(result: Result) -> list[dict[str, Any]]:
    """Everything about every configuration, flat: all statistics, accuracy and parity figures."""
    rows = []
    for config in result["configs"]:
        flat = _config_base(result, config)
        for stage, stats in config["latency_ms"].items():
            flat.update({f"{stage}_n": stats["n"], **{f"{stage}_{fig}_ms": stats[fig] for fig in FIGURES}})
        flat.update((config.get("accuracy") or {}).get("metrics", {}))
        flat.update({f"parity_{k}": v for k, v in config["parity"].items()})
        work = config.get("work") or {}
        if "stages" in work:
            flat.update({"work_comparable": work["comparable"], "work_vcpus": work["vcpus"], "work_init_insn": work["init"],
                         "work_per_image_insn": work["per_image_median"],
                         **{f"work_{stage}_insn": n for stage, n in work["stages"].items()}})
        rows.append(flat)
    return rows


#: What says how a row was measured; rows that differ in one are not measured alike.
MEASUREMENT_KEYS = ("device", "transport", "warmup", "repeats", "applied")


def measured_unlike(row: Mapping[str, Any], base: Mapping[str, Any]) -> str | None:
    """How ``row`` was measured differently from ``base`` (``warmup 2 vs 10; ...``), or None."""
    differs = [f"{k} {row.get(k)} vs {base.get(k)}" for k in MEASUREMENT_KEYS if row.get(k) != base.get(k)]
    return "; ".join(differs) or None


def with_ratios(rows: Sequence[dict[str, Any]], baseline: int = 0) -> list[dict[str, Any]]:
    """``rows`` with ratios against ``rows[baseline]``: ``speedup`` (baseline median / median),
    ``size_x`` and ``rss_x`` (this / baseline), ``work_x`` (instructions, this / baseline, where
    both were counted at threads 1), ``accuracy_delta`` (this - baseline), and
    ``measured_unlike``: what in the measurement differs from the baseline (None: alike)."""
    if not 0 <= baseline < len(rows):
        raise InputError(f"baseline row {baseline + 1} does not exist (there are {len(rows)} rows)")
    base = rows[baseline]

    def ratio(a: Any, b: Any) -> float | None:
        return a / b if a is not None and b else None

    out = []
    for row in rows:
        same_metric = row["metric"] == base["metric"] and row["accuracy"] is not None and base["accuracy"] is not None
        out.append({
            **row,
            "speedup": ratio(base["total_median_ms"], row["total_median_ms"]),
            "size_x": ratio(row["size_mb"], base["size_mb"]),
            "rss_x": ratio(row["peak_rss_mb"], base["peak_rss_mb"]),
            "work_x": ratio(row.get("work_minsn"), base.get("work_minsn")),
            "accuracy_delta": row["accuracy"] - base["accuracy"] if same_metric else None,
            "measured_unlike": measured_unlike(row, base),
        })
    return out


def _csv_text(rows: Sequence[Mapping[str, Any]]) -> str:
    columns = list(dict.fromkeys(k for row in rows for k in row))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def _shown(key: str, value: Any) -> Any:
    """Milliseconds and MB (10^6 bytes) to 0.1, ratios to 0.01, for people; files keep every digit."""
    if not isinstance(value, float):
        return value
    if key.endswith(("_ms", "_mb", "_minsn")):
        return f"{value:.1f}"
    if key in ("speedup", "size_x", "rss_x", "work_x"):
        return f"{value:.2f}"
    return value


def table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None) -> str:
    """Rows as a Markdown table, numbers rounded for reading (columns: all, in first-seen order)."""
    columns = list(columns or dict.fromkeys(k for row in rows for k in row))
    return markdown_table([{k: _shown(k, row.get(k)) for k in columns} for row in rows], columns)


# -- plots -----------------------------------------------------------------------------------


def _pyplot() -> Any:
    """matplotlib's pyplot on the file-only backend (no display here), imported when a plot is made."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(figure: Any, path: Path) -> None:
    with atomic_path(path) as tmp:
        figure.savefig(tmp, format="png", dpi=110, bbox_inches="tight")
    _pyplot().close(figure)


def latency_groups(result: Result, with_device: bool = False) -> list[tuple[str, list[float]]]:
    """``(label, end-to-end samples)`` per configuration of a result file."""
    label = _label(result)
    prefix = f"{label['device']}\n{label['models']}\n" if with_device else ""
    return [(f"{prefix}t{c['threads']} {c['power_mode']}", c["total_ms_samples"])
            for c in result["configs"] if c["total_ms_samples"]]


def plot_latency(groups: Sequence[tuple[str, Sequence[float]]], title: str, path: Path) -> bool:
    """Box plot (means marked) of end-to-end latency per group; False if there is nothing to plot."""
    if not groups:
        return False
    plt = _pyplot()
    figure, ax = plt.subplots(figsize=(max(4.0, 1.5 * len(groups) + 2), 4.5))
    ax.boxplot([samples for _, samples in groups], showmeans=True)
    ax.set_xticks(range(1, len(groups) + 1), [name for name, _ in groups], fontsize=8)
    ax.set_ylabel("end-to-end latency per image (ms)")
    ax.set_title(title, fontsize=10)
    ax.grid(axis="y", alpha=0.3)
    _save(figure, path)
    return True


def plot_work(results: Sequence[Result], path: Path) -> bool:
    """Stacked bars: per configuration counted at threads 1, the median instructions per image
    of each stage; False when nothing was counted."""
    bars = [(f"{_label(r)['device']} {_label(r)['models']} t{c['threads']}", w["stages"])
            for r in results for c in r["configs"] if (w := _work(c))]
    if not bars:
        return False
    plt = _pyplot()
    stages = list(dict.fromkeys(s for _, st in bars for s in st))
    figure, ax = plt.subplots(figsize=(7, 1.0 + 0.5 * len(bars)))
    left = [0.0] * len(bars)
    for stage in stages:
        values = [st.get(stage, 0) / 1e6 for _, st in bars]
        ax.barh([name for name, _ in bars], values, left=left, label=stage)
        left = [a + b for a, b in zip(left, values)]
    ax.set_xlabel("aarch64 instructions per image (millions; qemu-user count, threads 1)")
    ax.legend(fontsize=8, ncol=len(stages))
    ax.invert_yaxis()
    _save(figure, path)
    return True


def plot_latency_vs_accuracy(rows: Sequence[Mapping[str, Any]], path: Path) -> bool:
    """Median latency against the headline metric, coloured by model kind; False when no row
    has an accuracy figure or the rows mix metrics (rec accuracy and e2e Hmean share no axis)."""
    points = [r for r in rows if r["accuracy"] is not None]
    metrics = {r["metric"] for r in points}
    if not points or len(metrics) > 1:
        return False
    plt = _pyplot()
    one_device = len({r["device"] for r in points}) == 1
    figure, ax = plt.subplots(figsize=(6, 4))
    for kind in dict.fromkeys(r["models"] for r in points):
        group = [r for r in points if r["models"] == kind]
        ax.scatter([r["total_median_ms"] for r in group], [r["accuracy"] for r in group], label=kind)
        for r in group:
            name = f"t{r['threads']} {r['power_mode']}" if one_device else f"{r['device']} t{r['threads']} {r['power_mode']}"
            ax.annotate(name, (r["total_median_ms"], r["accuracy"]), fontsize=7, xytext=(3, 3),
                        textcoords="offset points")
    ax.set_xlabel("median end-to-end latency per image (ms)")
    ax.set_ylabel(metrics.pop())
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    _save(figure, path)
    return True


# -- files -----------------------------------------------------------------------------------


def _describe(result: Result) -> list[str]:
    """How one device's numbers were measured, as Markdown lines."""
    stamp, label = result["stamp"], _label(result)
    device, options, payload = stamp["device"], stamp["options"], stamp["payload"]
    lines = [f"## {label['device']}: {result['status']}", ""]
    if result["error"]:
        lines += [f"**Failed** at {result['error']['config'] or 'deploy'}: `{result['error']['message']}`", ""]
    target = (payload.get("manifest") or {}).get("target", {}).get("name", "-")
    converter = (payload.get("manifest") or {}).get("converter", {}).get("version", "-")
    lines += [
        f"- device: {device.get('model', '?')} ({device.get('abi', '?')}, {device.get('os', '?')}, "
        f"{device.get('cpu_cores', '?')} cores) over {device['transport']}",
        f"- latency measured on: {stamp['latency_source']}",
        f"- models: {label['models']} ({label['size_mb']:.2f} MB) from {payload['path']}; target {target}, "
        f"converter {converter}",
        f"- runner: {label['runner']}, runtime {stamp.get('runtime_version', '?')}",
        f"- data: {stamp['data']['source']} ({stamp['data']['images']} images, labels: {stamp['data']['labels']}, "
        f"mode {stamp['data']['mode']})",
        f"- per image: {options['warmup']} warm-up + {options['repeats']} timed runs; cool-down "
        f"{options['cooldown_s']:g} s between configurations",
        "- host reference for parity: " + (stamp["host_reference"].get("skipped")
                                           or stamp["host_reference"]["runtime_version"]),
        f"- date {stamp['date']}, edgeocr {stamp['edgeocr_version']}",
        "",
    ]
    for config in result["configs"]:
        lines += [f"### {config['name']}", ""]
        lines += [f"- note: {note}" for note in config["notes"]]
        lines += [f"- runner command: `{config['runner_command']}`", ""]
        stats = [{"stage": stage, **{f"{k}_ms": v for k, v in s.items()}} for stage, s in config["latency_ms"].items()]
        lines += [table(stats), ""]
        work = config.get("work") or {}
        if "stages" in work:
            lines += [f"Work ({work['unit']}, vCPUs {work['vcpus']}{'' if work['comparable'] else ', not comparable: threads > 1'}):"
                      f" {work['per_image_median']:.4g} per image (median), init {work['init']:.4g}", "",
                      markdown_table([{"stage": s, "instructions_per_image": f"{n:.4g}"} for s, n in work["stages"].items()]),
                      ""]
        figures = {**((config.get("accuracy") or {}).get("metrics", {})),
                   **{f"parity_{k}": v for k, v in config["parity"].items()}}
        lines += [markdown_table([{"figure": k, "value": v} for k, v in figures.items()]), ""]
    return lines


def write_bench_outputs(out: Path, results: Sequence[tuple[Path, Result]]) -> list[dict[str, Any]]:
    """``summary.csv``, ``report.md`` and plots for the results of one bench call; the summary rows."""
    rows = [row for _, result in results for row in config_rows(result)]
    write_text(out / "summary.csv", _csv_text([row for _, r in results for row in csv_rows(r)]))
    plots = []
    for path, result in results:
        plot, label = out / "plots" / f"{path.stem}-latency.png", _label(result)
        where = "this host: host latency" if label["transport"] == "local" else label["transport"]
        if plot_latency(latency_groups(result), f"{label['device']} ({where}), {label['models']}", plot):
            plots.append(plot)
    if plot_latency_vs_accuracy(rows, out / "plots" / "latency-vs-accuracy.png"):
        plots.append(out / "plots" / "latency-vs-accuracy.png")
    if plot_work([r for _, r in results], out / "plots" / "work-per-stage.png"):
        plots.append(out / "plots" / "work-per-stage.png")
    command = results[0][1]["stamp"]["command"] if results else ""
    text = ["# edgeocr bench", "", f"Command: `{command}`", "", table(rows) if rows else "(no configuration completed)", ""]
    for _, result in results:
        text += _describe(result)
    text += [f"![{p.stem}](plots/{p.name})" for p in plots]
    write_text(out / "report.md", "\n".join(text) + "\n")
    return rows


def write_comparison(out: Path, rows: Sequence[Mapping[str, Any]], results: Sequence[tuple[Path, Result]]) -> None:
    """``report.{md,csv,json}`` and plots for ``edgeocr report``."""
    sources = [str(path) for path, _ in results]
    write_text(out / "report.csv", _csv_text(rows))
    write_json(out / "report.json", {"sources": sources, "rows": list(rows)})
    text = ["# edgeocr report", "", *[f"- {s}" for s in sources], "", table(rows), ""]
    unlike = [i + 1 for i, row in enumerate(rows) if row.get("measured_unlike")]
    if unlike:
        text += [f"Rows {', '.join(map(str, unlike))} were measured unlike the baseline (column measured_unlike): "
                 "their ratios compare the measurements as well as the models.", ""]
    groups = [group for _, result in results for group in latency_groups(result, with_device=True)]
    if plot_latency(groups, "end-to-end latency per run and configuration", out / "latency.png"):
        text.append("![latency](latency.png)")
    if plot_latency_vs_accuracy(rows, out / "latency-vs-accuracy.png"):
        text.append("![latency vs accuracy](latency-vs-accuracy.png)")
    if plot_work([r for _, r in results], out / "work-per-stage.png"):
        text.append("![work per stage](work-per-stage.png)")
    write_text(out / "report.md", "\n".join(text) + "\n")
