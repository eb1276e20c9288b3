"""What the unread activation quantizers did to the host's int8 accuracy.

PaddleSlim's int8 exports round activations that only float ops read; Paddle Inference
executes that rounding, Paddle-Lite does not (``edgeocr.compress.unread_quantizers``), so an
accuracy measured on the host with such an export is not the accuracy of the bundle.
``edgeocr quantize`` now removes them at export. For int8 model folders made before (as
PaddleSlim saved them), this benchmark measures on each folder's own eval set (the one in
its ``report.json``) the metric with and without them, beside the float model's, and writes
``benchmarks/results/unread_quantizers.json``.

    python benchmarks/unread_quantizers.py out/cmp/full-rec-pact out/cmp/rec-ptq ...
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("models", nargs="+", type=Path, help="int8 model folders with their report.json")
    parser.add_argument("--out", type=Path, default=REPO / "out" / "unread-quantizers")
    parser.add_argument("--json", type=Path, default=REPO / "benchmarks" / "results" / "unread_quantizers.json")
    args = parser.parse_args()

    from edgeocr.compress.data import load_task_data
    from edgeocr.compress.evaluation import METRIC, evaluate_model
    from edgeocr.compress.unread_quantizers import drop_unread_quantizers_in, summary
    from edgeocr.models import zoo
    from edgeocr.models.charset import load_charset
    from edgeocr.models.modelset import INFER_MODEL, ModelSet
    from edgeocr.utils.atomic import write_json
    from edgeocr.utils.table import markdown_table

    base = ModelSet.from_dir(zoo.pull("ppocrv2"))
    charset = load_charset(base.dict_path)
    rows = []
    for folder in args.models:
        report = json.loads((folder / "report.json").read_text())
        task, metric = report["task"], METRIC[report["task"]]
        copy = args.out / folder.name
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(folder, copy)
        removed = summary(drop_unread_quantizers_in(copy / INFER_MODEL))
        data = load_task_data(task, Path(report["eval_labels"]), charset)
        print(f"{folder}: {removed['count']} unread quantizer(s); evaluating on {len(data)} samples",
              file=sys.stderr, flush=True)
        float_row = next(r for r in report["rows"] if r["variant"] == "float")
        raw = evaluate_model(task, folder, base, data)[metric]
        without = evaluate_model(task, copy, base, data)[metric]
        rows.append({"model": folder.name, "task": task, "method": report["recipe"]["method"],
                     "unread_quantizers": removed["count"], "metric": metric, "samples": len(data),
                     "float": round(float_row[metric], 4), "int8_as_exported": round(raw, 4),
                     "int8_without_unread": round(without, 4), "change": round(without - raw, 4)})
    print(markdown_table(rows))
    write_json(args.json, {"rows": rows, "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                           "command": "python benchmarks/unread_quantizers.py " + " ".join(map(str, args.models))})


if __name__ == "__main__":
    main()
