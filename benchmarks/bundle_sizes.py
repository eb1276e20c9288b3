"""Paddle-Lite ``.nb`` sizes per model and in total for float, PACT and pruned+PACT bundles,
side by side with PaddleOCR's published PP-OCRv2 totals (11.0 MB float, 4.6 MB slim, Lite 2.10),
and the int8 kernel counts read from each ``.nb``.

Compressed models come from ``benchmarks/compression.py`` (``--from`` its output folder);
variants whose models are missing are reported as missing, never estimated.
Sizes are file sizes in MB (10^6 bytes). Writes ``benchmarks/results/bundle_sizes.json``.

    python benchmarks/bundle_sizes.py --target arm64-v8a --compressed out/bench-compression
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

from edgeocr.convert.bundle import convert_bundle
from edgeocr.convert.runtimes.nbfile import read_nb
from edgeocr.targets import load_target
from edgeocr.models import zoo
from edgeocr.models.modelset import ModelSet
from edgeocr.utils.atomic import write_json
from edgeocr.utils.table import markdown_table

PUBLISHED = {"float": 11.0, "slim": 4.6}


def variants(compressed: Path) -> dict[str, dict[str, Path]]:
    """Which model folder each bundle uses per task (missing ones are skipped with a note)."""
    return {
        "float": {},
        "pact (det, cls, rec int8)": {t: compressed / f"{t}-pact" for t in ("det", "cls", "rec")},
        "pruned det + pact": {"det": compressed / "det-prune-pact", "cls": compressed / "cls-pact",
                              "rec": compressed / "rec-pact"},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", default="arm64-v8a")
    parser.add_argument("--compressed", type=Path, default=Path("out/bench-compression"))
    parser.add_argument("--out", type=Path, default=Path("out/bench-bundles"))
    parser.add_argument("--json", type=Path, default=Path("benchmarks/results/bundle_sizes.json"))
    args = parser.parse_args()
    zoo.pull("ppocrv2")
    base = ModelSet.load("ppocrv2")
    target = load_target(args.target)
    rows, missing = [], []
    for name, dirs in variants(args.compressed).items():
        absent = [str(p) for p in dirs.values() if not (p / "inference.pdmodel").is_file()]
        if absent:
            missing.append({"variant": name, "missing": absent})
            continue
        models = dataclasses.replace(base, **dirs)
        bundle = convert_bundle(models, target, args.out / name.split(" ")[0].replace("+", ""), force=True)
        manifest = bundle.manifest
        row = {"variant": name}
        total = 0.0
        for task, entry in manifest["models"].items():
            info = read_nb(bundle.model_file(task))
            row[f"{task} MB"] = round(info.size_bytes / 1e6, 2)
            row[f"{task} int8/float kernels"] = f"{info.int8_kernels}/{info.precision_counts().get('float', 0)}"
            total += info.size_bytes / 1e6
        row["total MB"] = round(total, 2)
        row["published total MB"] = PUBLISHED["float" if name == "float" else "slim"]
        rows.append(row)
    print(f"target {target.name}, converter {manifest['converter']['version']}")
    print(markdown_table(rows))
    for m in missing:
        print(f"not measured: {m['variant']} (run benchmarks/compression.py first; missing {', '.join(m['missing'])})",
              file=sys.stderr)
    write_json(args.json, {"target": target.name, "rows": rows, "missing": missing,
                           "published": PUBLISHED, "command": " ".join(sys.argv)})


if __name__ == "__main__":
    main()
