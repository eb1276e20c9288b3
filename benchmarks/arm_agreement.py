"""ARM truth per model variant: does each bundle agree with the host on real Paddle-Lite ARM
kernels, and how much ARM work does it do?

For every variant (float, and the int8 / pruned model folders given with ``--variant``) the
pulled float set with that variant swapped in is converted for ``armlinux-aarch64`` and then

- verified (``edgeocr.verify``): run on the emulated arm64 device by the native runner built
  against the Paddle-Lite ARM library, compared with Paddle Inference on the same models —
  end-to-end texts and boxes, and per model the decisions taken from the raw outputs on the
  very same inputs;
- counted (``edgeocr.bench.run`` with instruction counting): dynamic aarch64 instructions per
  image and per stage, threads 1, on the first ``--count-images`` verification images.

Needs the Paddle-Lite v2.13-rc ARM Linux armv8 library (``--lite-lib`` or
``$EDGEOCR_LITE_LIB``), which cannot be installed from a registry: build it from Paddle-Lite's
public source (see the README, "ARM truth"). Writes ``benchmarks/results/arm_agreement.json``
and prints the table.

    python benchmarks/arm_agreement.py --variant cls-pact=cls:out/cmp/cls-pact [--variant ...]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import shlex
import sys
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TASKS = ("det", "cls", "rec")


def parse_variant(spec: str) -> tuple[str, dict[str, Path]]:
    name, _, parts = spec.partition("=")
    dirs = {}
    for part in parts.split(","):
        task, _, folder = part.partition(":")
        if not name or task not in TASKS or not Path(folder).is_dir():
            sys.exit(f"arm_agreement: --variant {spec!r}: expected NAME=TASK:DIR[,TASK:DIR]")
        dirs[task] = Path(folder).resolve()
    return name, dirs


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--variant", action="append", default=[], help="NAME=TASK:DIR[,TASK:DIR] (repeatable)")
    parser.add_argument("--lite-lib", type=Path, default=os.environ.get("EDGEOCR_LITE_LIB"))
    parser.add_argument("--count-images", type=int, default=3)
    parser.add_argument("--out", type=Path, default=REPO / "out" / "arm-agreement")
    parser.add_argument("--json", type=Path, default=REPO / "benchmarks" / "results" / "arm_agreement.json")
    args = parser.parse_args()
    os.environ.setdefault("EDGEOCR_HOME", str(REPO / "out" / "home"))

    from edgeocr import bench
    from edgeocr.bench.dataset import Dataset
    from edgeocr.convert.bundle import convert_bundle
    from edgeocr.device import EmulatedDevice
    from edgeocr.errors import EdgeOCRError
    from edgeocr.models import zoo
    from edgeocr.models.modelset import ModelSet
    from edgeocr.runner.deploy import DeployRequest
    from edgeocr.runner.payload import Payload
    from edgeocr.targets import load_target
    from edgeocr.utils.atomic import write_json
    from edgeocr.utils.table import markdown_table
    from edgeocr.verify.run import default_images, lite_library, native_runner, verify_bundle

    library = lite_library(args.lite_lib)
    base = ModelSet.from_dir(zoo.pull("ppocrv2"))
    images = default_images()
    counted = dict(list(images.items())[: args.count_images])
    runner, libs = native_runner(library, log)
    rows = []
    for name, dirs in [("float", {}), *map(parse_variant, args.variant)]:
        log(f"== {name}")
        folder = args.out / name
        try:
            bundle = convert_bundle(dataclasses.replace(base, **dirs), load_target("armlinux-aarch64"),
                                    folder / "bundle", force=True, progress=log)
        except EdgeOCRError as e:
            rows.append({"variant": name, "converted": False, "why": str(e).split(":", 1)[-1].strip()[:160]})
            continue
        verification = verify_bundle(bundle.path, folder / "verify", library, images, log=log)
        record = verification.record
        run = bench.run(DeployRequest(Payload.of_bundle(bundle), runner, (libs,)), [EmulatedDevice()],
                        Dataset("verification images", None, counted, {}), folder / "bench", threads=(1,),
                        warmup=0, repeats=1, cooldown_s=0, skip_parity="verified separately", count_work=True, log=log)
        run.raise_failures()
        work = run.devices[0].result["configs"][0]["work"]
        row = {"variant": name, "converted": True, "passed": record["passed"],
               "text_agreement": record["end_to_end"]["text_agreement"],
               "box_agreement": record["end_to_end"]["box_agreement"],
               **{f"{t}_decisions": a["decision_agreement"] for t, a in record["models"].items()},
               "int8": ",".join(t for t, q in record["quantized"].items() if q) or "-",
               "minsn_per_image": work["per_image_median"] / 1e6,
               **{f"{s}_minsn": n / 1e6 for s, n in work["stages"].items()},
               "failures": record["failures"]}
        rows.append(row)
    base_work = next((r["minsn_per_image"] for r in rows if r["variant"] == "float" and r.get("converted")), None)
    for row in rows:
        if row.get("converted") and base_work:
            row["work_vs_float"] = row["minsn_per_image"] / base_work
    shown = [{k: (f"{v:.4f}" if isinstance(v, float) else v) for k, v in r.items() if k not in ("failures", "why")}
             for r in rows]
    print(markdown_table(shown, list(dict.fromkeys(k for r in shown for k in r))))
    for r in rows:
        for f in r.get("failures", []) + ([r["why"]] if "why" in r else []):
            print(f"- {r['variant']}: {f}")
    write_json(args.json, {"rows": rows, "library": str(library), "images": len(images), "counted_images": len(counted),
                           "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                           "command": shlex.join(["python", *sys.argv]),
                           "device": "qemu-arm64 (qemu-user, Debian arm64 user space); counts: aarch64 instructions, "
                                     "threads 1, median over the counted images"})


if __name__ == "__main__":
    main()
