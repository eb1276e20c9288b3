from __future__ import annotations

import pytest

from edgeocr.compress.recipe import load_recipe


def small(model: str, method: str, steps: int = 2, train: int = 16, evaluation: int = 12):
    """A shipped recipe shrunk to test size (tiny synthetic sets, a few steps)."""
    return (load_recipe(model=model, method=method)
            .override("data", train_count=train, eval_count=evaluation)
            .override("train", steps=steps, batch_size=4, checkpoint_every=1, log_every=1, det_input_size=256)
            .override("quant", ptq_batches=2))


@pytest.fixture(scope="session")
def cls_prune_out(pulled_models, tmp_path_factory):
    from edgeocr.compress import job

    out = tmp_path_factory.mktemp("prune") / "cls-prune"
    recipe = small("cls", "prune").override("prune", flops_ratio=0.3, sensitivity_images=4)
    return out, job.prune("cls", recipe, out)
