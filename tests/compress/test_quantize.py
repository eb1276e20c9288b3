"""quantize end to end on real models (tiny sets and step counts): int8 models that run,
shrink, convert to int8 ARM kernels, and report float vs int8."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from edgeocr.cli.main import cli
from edgeocr.compress import job
from edgeocr.convert.bundle import convert_bundle
from edgeocr.convert.runtimes.nbfile import read_nb
from edgeocr.models.program import feed_shapes, is_quantized, read_program
from edgeocr.targets import load_target
from edgeocr.errors import DataError, EdgeOCRError, ModelError
from edgeocr.models.modelset import INFER_MODEL, ModelSet
from tests.compress.conftest import small


@pytest.fixture(scope="module")
def cls_pact(pulled_models, tmp_path_factory):
    out = tmp_path_factory.mktemp("q") / "cls-pact"
    return out, job.quantize("cls", small("cls", "pact"), out)


def test_pact_outputs_an_int8_model_with_pact_active(cls_pact, pulled_models) -> None:
    out, report = cls_pact
    assert is_quantized(read_program(out / INFER_MODEL))
    pact = report["compression"]["pact"]
    assert pact["before"]["pact_layers"] == pact["before"]["quantized_layers"] > 0
    assert pact["before"]["skipped_layers"] > 0
    float_row, int8_row = report["rows"]
    assert int8_row["pdiparams_MB"] < float_row["pdiparams_MB"] * 0.6
    assert 0.0 <= int8_row["cls_acc"] <= 1.0 and report["eval_samples"] == 12
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["task"] == "cls" and manifest["compression"]["method"] == "pact"
    assert not (out.parent / "cls-pact.train").exists()  # checkpoints removed after success


def test_quantized_model_converts_to_int8_arm_kernels(cls_pact, pulled_models, tmp_path) -> None:
    out, _ = cls_pact
    models = ModelSet.load("ppocrv2", cls_model=out)
    bundle = convert_bundle(models, load_target("arm64-v8a"), tmp_path / "b").path
    info = read_nb(bundle / "cls.nb")
    assert info.int8_kernels > 0
    assert json.loads((bundle / "manifest.json").read_text())["models"]["cls"]["quantized"] is True
    # the shipped recipe keeps the head's fc float: no int8 fc, whose ARM kernel breaks on batch 1
    assert not [k for k in info.kernels if k[0] == "fc" and k[2] == "int8"]


@pytest.mark.parametrize("method", ["pact", "ptq"])
def test_an_int8_cls_head_is_refused_for_arm(method, pulled_models, tmp_path) -> None:
    """Regression: the classifier ``make demo`` used to make (head fc int8) turned upright
    crops on ARM; converting such a model for ARM is now refused, naming the layer and the fix."""
    recipe = small("cls", method, steps=1)
    recipe = (recipe.override("quant", skip_layers=[]) if method == "pact" else
              recipe.override("quant", ptq_op_types=["conv2d", "matmul_v2"]))
    out = tmp_path / f"cls-{method}-head-int8"
    job.quantize("cls", recipe, out)
    models = ModelSet.load("ppocrv2", cls_model=out)
    with pytest.raises(EdgeOCRError, match=r"int8 fully connected layer\(s\) with one row per image \(linear_.*"
                                           r"Keep that layer float"):
        convert_bundle(models, load_target("armlinux-aarch64"), tmp_path / "b")
    assert not (tmp_path / "b").exists()


def test_ptq_baseline(pulled_models, tmp_path) -> None:
    report = job.quantize("cls", small("cls", "ptq"), tmp_path / "cls-ptq")
    assert report["compression"]["method"] == "ptq"
    assert is_quantized(read_program(tmp_path / "cls-ptq" / INFER_MODEL))


def test_rec_pact_exports_despite_the_lstm(pulled_models, tmp_path) -> None:
    """Regression: PaddleSlim's export of a copied nn.LSTM failed on its unallocated dropout buffer."""
    report = job.quantize("rec", small("rec", "pact", steps=1, train=8, evaluation=6), tmp_path / "rec-pact")
    assert is_quantized(read_program(tmp_path / "rec-pact" / INFER_MODEL))
    assert report["rows"][1]["pdiparams_MB"] < 5  # 8.3 MB float; int8 pointwise + head


def test_eval_overlapping_train_is_refused(pulled_models, tmp_path) -> None:
    from edgeocr.compress.data import resolve_labels

    labels = str(resolve_labels("synth", "cls", 16, 1001))
    with pytest.raises(DataError, match="also in the training set"):
        job.quantize("cls", small("cls", "ptq"), tmp_path / "x", train_labels=labels, eval_labels=labels)
    assert not (tmp_path / "x").exists()


def test_cli_reports_bad_recipe(tmp_path, pulled_models) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text("model: cls\nmethod: pact\nextra: 1\n")
    res = CliRunner().invoke(cli, ["quantize", "--model", "cls", "--recipe", str(bad)])
    assert res.exit_code != 0 and "unknown key(s) extra" in str(res.exception)


def test_det_pact_recipe_keeps_the_probability_map(pulled_models) -> None:
    """Regression: PACT on the DB head's input zeroed the detector's map (Hmean 0.0); the
    shipped det recipe keeps the head float, and the fake-quantized map must match float."""
    import paddle

    from edgeocr.compress.quantize import apply_qat
    from edgeocr.compress.recipe import load_recipe
    from edgeocr.compress.trainer import freeze_batch_norm
    from edgeocr.models.checkpoint import load_checkpoint
    from edgeocr.models.modelset import CHECKPOINT
    from edgeocr.ocr.preprocess import normalize_det
    from tests.conftest import render_page

    x = paddle.to_tensor(normalize_det(render_page([("雨果咖啡店 Hello", (40, 60), 40)], size=(320, 160)))[None])
    reference = load_checkpoint("det", pulled_models.det / CHECKPOINT)
    with paddle.no_grad():
        expected = reference(x).numpy() > 0.3
    model = load_checkpoint("det", pulled_models.det / CHECKPOINT)
    apply_qat(model, load_recipe(model="det", method="pact").quant)
    model.train()
    freeze_batch_norm(model)
    with paddle.no_grad():
        for _ in range(5):  # let the moving-average activation scales settle
            model(x)
    model.eval()
    with paddle.no_grad():
        got = model(x).numpy() > 0.3
    assert expected.sum() > 100
    assert (got & expected).sum() / (got | expected).sum() > 0.8


def test_model_folder_of_another_task_is_refused(pulled_models, tmp_path) -> None:
    with pytest.raises(ModelError, match="holds a det model, but --model is rec"):
        job.quantize("rec", small("rec", "ptq"), tmp_path / "x", source=pulled_models.det)
    assert not (tmp_path / "x").exists()


def test_full_disk_while_saving_is_a_clear_error_and_keeps_the_earlier_output(pulled_models, tiny_fs) -> None:
    out = tiny_fs / "cls-ptq"
    out.mkdir()
    (out / "report.json").write_text('{"earlier": true}')
    (tiny_fs / "filler").write_bytes(b"\0" * 200_000)  # leaves ~50 KiB: less than the model needs
    with pytest.raises(EdgeOCRError, match="no space left on device while saving"):
        job.quantize("cls", small("cls", "ptq"), out)
    assert json.loads((out / "report.json").read_text()) == {"earlier": True}
    assert sorted(p.name for p in tiny_fs.iterdir()) == ["cls-ptq", "filler"]  # no half-written folder


def test_full_disk_while_saving_pact(pulled_models, tiny_fs) -> None:
    (tiny_fs / "filler").write_bytes(b"\0" * 200_000)
    with pytest.raises(EdgeOCRError, match="no space left on device while saving"):
        job.quantize("cls", small("cls", "pact", steps=1), tiny_fs / "cls-pact")
    # No output folder; the checkpoint folder (kept for --resume) holds no half-written file.
    assert sorted(p.name for p in tiny_fs.iterdir()) == ["cls-pact.train", "filler"]
    assert not [p.name for p in (tiny_fs / "cls-pact.train").iterdir() if p.name.startswith(".")]


def test_finetune_control_is_a_float_model_trained_like_pact(pulled_models, tmp_path) -> None:
    from edgeocr.compress.source import load_trainable

    out = tmp_path / "cls-finetune"
    report = job.finetune("cls", small("cls", "pact"), out)
    assert not is_quantized(read_program(out / INFER_MODEL))
    assert report["compression"]["method"] == "finetune" and report["compression"]["training"]["steps"] == 2
    assert [r["variant"] for r in report["rows"]] == ["float", "float fine-tuned"]
    assert report["rows"][1]["pdiparams_MB"] == report["rows"][0]["pdiparams_MB"]  # still float
    load_trainable("cls", out)  # the folder is a starting point like any other


def test_ptq_of_a_newer_family_calibrates_at_its_rec_height(family_set, tmp_path) -> None:
    """PTQ quantizes PP-OCRv4's released program on 48-pixel calibration lines (32 would not
    even run); FLOPs are counted on its trainable architecture at 48 x 320."""
    family_set("ppocrv4")
    report = job.quantize("rec", small("rec", "ptq", train=8, evaluation=8), tmp_path / "v4-rec-ptq",
                          models_name="ppocrv4")
    assert is_quantized(read_program(tmp_path / "v4-rec-ptq" / INFER_MODEL))
    float_row, int8_row = report["rows"]
    assert float_row["line_acc"] > 0.8 and int8_row["params"] == float_row["params"] > 2_000_000
    assert 600 < float_row["MFLOPs"] < 800  # 707.6 at 48 x 320; PP-OCRv2's 32-pixel count would be ~2/3


def test_pact_of_v4_rec_trains_the_filled_architecture(family_set, tmp_path) -> None:
    """PACT QAT of PP-OCRv4's recogniser: it starts from the checkpoint the pull filled from
    the release, trains on 48-pixel lines and exports an int8 program that takes them."""
    family_set("ppocrv4")
    out = tmp_path / "v4-rec-pact"
    report = job.quantize("rec", small("rec", "pact", steps=1, train=8, evaluation=6), out, models_name="ppocrv4")
    program = read_program(out / INFER_MODEL)
    assert is_quantized(program) and list(feed_shapes(program).values())[0][2] == 48
    float_row, int8_row = report["rows"]
    assert float_row["line_acc"] > 0.8 and int8_row["pdiparams_MB"] < float_row["pdiparams_MB"] / 3
    pact = report["compression"]["pact"]["after"]
    assert pact["pact_layers"] == pact["quantized_layers"] > 20


def test_pact_of_an_onnx_only_family_says_what_to_do(family_set, tmp_path) -> None:
    family_set("ppocrv5")
    with pytest.raises(ModelError, match="ONNX only.*--ort-quantize"):
        job.quantize("rec", small("rec", "pact"), tmp_path / "v5-rec-pact", models_name="ppocrv5")
