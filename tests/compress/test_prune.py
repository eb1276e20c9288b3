from __future__ import annotations

import json

import numpy as np
import paddle
import pytest

from edgeocr.compress import job
from edgeocr.compress.prune import flops_reduction, ratios_at, search_ratios, skip_list
from edgeocr.compress.source import PRUNE_PLAN, flops, load_trainable, make_pruner
from edgeocr.errors import ModelError
from edgeocr.models.program import is_quantized, read_program
from edgeocr.models.modelset import INFER_MODEL
from tests.compress.conftest import small


def test_prune_reduces_flops_and_keeps_channels_aligned(cls_prune_out) -> None:
    out, report = cls_prune_out
    unpruned, right_after, final = report["rows"]
    assert final["MFLOPs"] < unpruned["MFLOPs"] and final["params"] < unpruned["params"]
    # The target, reached without overshooting (an ungraded proxy once made this 65%).
    assert 0.3 <= report["compression"]["prune"]["flops_reduction"] < 0.45
    model = load_trainable("cls", out)
    for name, p in model.named_parameters():
        if name.endswith("conv.weight") and ".expand_conv." in name:
            assert p.shape[0] % 8 == 0, (name, p.shape)


def test_pruned_model_reloads_from_its_plan(cls_prune_out, pulled_models) -> None:
    out, _ = cls_prune_out
    assert json.loads((out / PRUNE_PLAN).read_text())["ratios"]
    model = load_trainable("cls", out)
    assert flops(model) < flops(load_trainable("cls", pulled_models.cls))
    # the reloaded model computes what the exported inference model computes
    from paddle import inference

    x = np.random.default_rng(0).uniform(-1, 1, (2, 3, 48, 192)).astype(np.float32)
    config = inference.Config(str(out / INFER_MODEL), str(out / "inference.pdiparams"))
    config.disable_glog_info()
    predictor = inference.create_predictor(config)
    handle = predictor.get_input_handle(predictor.get_input_names()[0])
    handle.reshape(x.shape)
    handle.copy_from_cpu(x)
    predictor.run()
    ref = predictor.get_output_handle(predictor.get_output_names()[0]).copy_to_cpu()
    np.testing.assert_allclose(model(paddle.to_tensor(x)).numpy(), ref, atol=1e-5)


def test_sensitivities_are_cached(cls_prune_out, tmp_path) -> None:
    _, first = cls_prune_out
    assert first["compression"]["prune"]["sensitivity_cached"] is False
    recipe = small("cls", "prune", steps=1).override("prune", flops_ratio=0.3, sensitivity_images=4)
    again = job.prune("cls", recipe, tmp_path / "again")
    assert again["compression"]["prune"]["sensitivity_cached"] is True


def test_quantize_starts_from_a_pruned_model(cls_prune_out, tmp_path) -> None:
    out, _ = cls_prune_out
    report = job.quantize("cls", small("cls", "ptq"), tmp_path / "pq", source=out)
    assert is_quantized(read_program(tmp_path / "pq" / INFER_MODEL))
    assert report["rows"][0]["MFLOPs"] < 20  # measured on the pruned start, not the original


@pytest.fixture()
def cls_pruner(pulled_models):
    """The real classifier, its pruner, the skip list, and made-up sensitivities of every
    prunable layer (loss growing linearly with the ratio, each layer at its own rate)."""
    model = load_trainable("cls", pulled_models.cls)
    pruner = make_pruner(model)
    skip = skip_list(model)
    layers = [c.master_name for c in pruner.collections if c.master_name not in skip]
    rates = np.random.default_rng(0).uniform(0.2, 2.0, len(layers))
    sensitivities = {name: {round(r, 2): float(min(1.0, r * rate)) for r in np.arange(0.1, 1.0, 0.1)}
                     for name, rate in zip(layers, rates)}
    return model, pruner, skip, sensitivities


@pytest.mark.parametrize("target", [0.1, 0.3])
def test_search_reaches_the_flops_target_with_the_least_pruning(cls_pruner, target) -> None:
    model, pruner, skip, sensitivities = cls_pruner
    base = flops(model)
    ratios, reached = search_ratios(pruner, model, sensitivities, target, 8, skip)
    assert reached >= target
    assert flops_reduction(pruner, model, ratios, base) == pytest.approx(reached)
    assert flops(model) == base  # the search leaves the model as it found it
    # No threshold on a fine grid reaches the target with less pruning.
    grid = [flops_reduction(pruner, model, ratios_at(pruner, sensitivities, t, 8, skip), base)
            for t in np.linspace(0, 1, 21)]
    assert reached <= min(g for g in grid if g >= target) + 1e-9


def test_unreachable_flops_target_is_an_error(cls_pruner) -> None:
    model, pruner, skip, sensitivities = cls_pruner
    with pytest.raises(ModelError, match="cannot be reached"):
        search_ratios(pruner, model, sensitivities, 0.99, 8, skip)


def test_finetune_of_a_pruned_model_stays_loadable(cls_prune_out, tmp_path) -> None:
    out, _ = cls_prune_out
    job.finetune("cls", small("cls", "pact", steps=1), tmp_path / "ft", source=out)
    assert flops(load_trainable("cls", tmp_path / "ft")) == flops(load_trainable("cls", out))


@pytest.mark.parametrize("family,task", [("ppocrv4", "rec"), ("ppocrv3", "det")])
def test_a_pruned_newer_family_model_is_rebuilt_from_its_plan(family, task, family_set, tmp_path) -> None:
    """Pruning follows channels through PP-LCNetV3's affine blocks, the SVTR neck and RSE-FPN; the
    pruned folder (checkpoint + plan) is rebuilt on its own family's architecture, same outputs."""
    from edgeocr.compress.source import apply_plan, example_input
    from edgeocr.models.checkpoint import save_checkpoint

    model = load_trainable(task, family_set(family).location(task))
    keys = [k for k, t in model.state_dict().items() if k.endswith("conv.weight") and t.shape[1] > 1][:4]
    base = flops(model)
    apply_plan(model, task, {k: 0.25 for k in keys})
    assert flops(model) < base
    save_checkpoint(model, tmp_path / "model.pdparams")
    (tmp_path / PRUNE_PLAN).write_text(json.dumps({"ratios": {k: 0.25 for k in keys}}))
    rebuilt = load_trainable(task, tmp_path)
    x = paddle.rand(example_input(model))
    model.eval()
    np.testing.assert_allclose(rebuilt(x).numpy(), model(x).numpy(), atol=1e-5)
