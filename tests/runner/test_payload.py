"""Payloads: what is pushed for a bundle or a model set, and how the models are labelled in
reports (float / int8 / pruned), following compression records back through their sources."""

from __future__ import annotations

import json
from pathlib import Path

from edgeocr.bundle import Bundle
from edgeocr.runner.payload import Payload, compression_history, model_label


def model_dir(path: Path, **manifest) -> Path:
    path.mkdir(parents=True)
    (path / "manifest.json").write_text(json.dumps(manifest))
    return path


def test_labels() -> None:
    assert model_label(False, []) == "float"
    assert model_label(True, [{"method": "pact", "int8": True}]) == "int8"
    assert model_label(False, [{"method": "prune"}]) == "pruned"
    assert model_label(True, [{"method": "pact"}, {"method": "prune"}]) == "pruned+int8"
    assert model_label(False, ["pruning mentioned in passing"]) == "float"


def test_history_follows_sources_and_stops_at_loops(tmp_path: Path) -> None:
    pruned = model_dir(tmp_path / "rec-prune", compression={"method": "prune"}, source={"dir": str(tmp_path / "float")})
    pact = model_dir(tmp_path / "rec-pact", compression={"method": "pact"}, source={"dir": str(pruned)})
    assert compression_history({"source": {"dir": str(pact)}}) == [{"method": "pact"}, {"method": "prune"}]
    loop = model_dir(tmp_path / "loop", compression={"method": "ptq"}, source={"dir": str(tmp_path / "loop")})
    assert compression_history({"source": {"dir": str(loop)}}) == [{"method": "ptq"}]


def test_bundle_and_model_set_payloads(x86_bundle: Path, pulled_models) -> None:
    bundle = Payload.of_bundle(Bundle.load(x86_bundle))
    assert (bundle.kind, bundle.label, bundle.backend, bundle.runtime_version) == ("bundle", "float", "lite", "v2.13-rc")
    assert {"manifest.json", "config.json", "det.nb", "rec.nb", "cls.nb"} <= set(bundle.files)
    assert bundle.runner_args("/w/bundle") == ["--bundle", "/w/bundle"]
    models = Payload.models(pulled_models.det.parent)
    assert (models.kind, models.label, models.backend, models.target) == ("models", "float", "paddle", None)
    assert set(models.files) == {"ppocr_keys_v1.txt", "manifest.json",  # the set's family settings travel too
                                 *(f"{t}/inference.{x}" for t in ("det", "cls", "rec") for x in ("pdmodel", "pdiparams"))}
    assert models.runner_args("/w/models") == ["--backend", "paddle", "--models", "/w/models"]
