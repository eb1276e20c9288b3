from __future__ import annotations

import numpy as np
import pytest

from edgeocr.compress.data import check_disjoint, load_task_data, resolve_labels, shrink_map
from edgeocr.data.labels import DetRegion, DetSample, RecSample, write_labels
from edgeocr.errors import DataError


def test_eval_set_sharing_images_with_training_is_refused(model_home) -> None:
    labels = resolve_labels("synth", "rec", 6, 5)
    a = load_task_data("rec", labels)
    with pytest.raises(DataError, match="image\\(s\\) also in the training set"):
        check_disjoint(a, load_task_data("rec", labels))
    check_disjoint(a, load_task_data("rec", resolve_labels("synth", "rec", 6, 6)))


def test_held_out_synth_is_its_own_rendering_of_the_same_texts(model_home) -> None:
    from edgeocr.data.labels import read_labels

    train, heldout = resolve_labels("synth", "rec", 4, 5), resolve_labels("synth-heldout", "rec", 4, 5)
    assert heldout.parent.name == "rec-heldout-n4-s5" and train.parent.name == "rec-n4-s5"
    assert [s.text for s in read_labels(heldout, "rec").samples] == [s.text for s in read_labels(train, "rec").samples]
    check_disjoint(load_task_data("rec", train), load_task_data("rec", heldout))  # other pixels
    assert '"fonts": "heldout"' in (heldout.parent / "synth.json").read_text()


def test_label_set_without_usable_sample_is_refused(tmp_path, model_home) -> None:
    src = resolve_labels("synth", "det", 1, 3)
    image = src.parent / "images" / "000000.jpg"
    (tmp_path / "a.jpg").write_bytes(image.read_bytes())
    write_labels(tmp_path / "det.txt", [DetSample("a.jpg", (DetRegion("###", ((0, 0), (9, 0), (9, 9), (0, 9))),))])
    with pytest.raises(DataError, match="det.txt: no usable sample"):
        load_task_data("det", tmp_path / "det.txt")
    write_labels(tmp_path / "rec.txt", [RecSample("a.jpg", " ")])
    with pytest.raises(DataError, match="rec.txt: no usable sample"):
        load_task_data("rec", tmp_path / "rec.txt")


def test_shrink_map_marks_kernels_inside_text_and_masks_dont_care() -> None:
    text = np.array([[20, 20], [120, 20], [120, 60], [20, 60]], np.float32)
    ignored = np.array([[150, 150], [200, 150], [200, 190], [150, 190]], np.float32)
    gt, mask = shrink_map([text, ignored], [False, True], 256)
    ys, xs = np.nonzero(gt)
    assert gt.sum() > 0 and xs.min() > 20 and xs.max() < 120 and ys.min() > 20 and ys.max() < 60  # shrunk
    assert gt[170, 170] == 0 and mask[170, 170] == 0 and mask[40, 70] == 1


def test_training_on_held_out_data_is_refused_before_anything_runs(pulled_models, tmp_path) -> None:
    from edgeocr.compress import job
    from edgeocr.errors import InputError
    from tests.compress.conftest import small

    with pytest.raises(InputError, match="--train cannot be synth-heldout: the held-out style is for evaluation only"):
        job.prepare("cls", small("cls", "ptq"), "ppocrv2", None, "synth-heldout", None)
    recipe = small("cls", "ptq").override("data", train="synth-heldout")  # built in code, never parsed
    with pytest.raises(InputError, match="data.train cannot be synth-heldout"):
        job.prepare("cls", recipe, "ppocrv2", None, None, None)


def test_bad_samples_stop_by_default_and_are_left_out_and_listed_when_skipped(tmp_path, model_home) -> None:
    """Real label sets have a few bad lines: by default the first is an error naming file and
    line; with ``bad_samples: skip`` each is left out and listed (file:line: why), none silently."""
    import cv2

    from edgeocr.compress.data import skipped_summary

    for i in range(3):
        cv2.imwrite(str(tmp_path / f"ok{i}.png"), np.full((32, 100, 3), 255, np.uint8))
    (tmp_path / "broken.png").write_bytes(b"not a png")
    labels = tmp_path / "labels.txt"
    labels.write_text("ok0.png\tabc\nno-tab-here\nok1.png\tdef\nmissing.png\tghi\n\nbroken.png\tjkl\nok2.png\tmno\n",
                      encoding="utf-8")
    with pytest.raises(DataError, match=r"labels.txt:2: malformed line"):
        load_task_data("rec", labels)
    data = load_task_data("rec", labels, skip_bad=True)
    assert data.texts == ["abc", "def", "mno"]
    assert [b.where.rsplit(":", 1)[1] for b in data.skipped] == ["2", "4", "6"]
    summary = skipped_summary(data)
    assert summary["count"] == 3
    assert "image file not found" in summary["first"][1] and "broken.png" in summary["first"][2]
    labels.write_text("broken.png\tjkl\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"labels.txt:1: .*broken.png"):
        load_task_data("rec", labels)
    with pytest.raises(DataError, match="no readable image"):
        load_task_data("rec", labels, skip_bad=True)
