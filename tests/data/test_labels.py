"""PaddleOCR label files: what real data sets contain is accepted, every broken line is
refused with a ``DataError`` naming ``file:line``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from edgeocr.data.labels import DetRegion, DetSample, RecSample, read_labels, write_labels
from edgeocr.errors import DataError
from edgeocr.models.charset import load_charset

ALLOWED = load_charset().allowed()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "imgs").mkdir()
    for name in ("a.jpg", "b.jpg", "c d.jpg"):
        (tmp_path / "imgs" / name).write_bytes(b"x")
    return tmp_path


def _write(folder: Path, text: str, name: str = "labels.txt") -> Path:
    path = folder / name
    path.write_bytes(text.encode("utf-8"))
    return path


def test_rec_round_trip(folder: Path) -> None:
    samples = [RecSample("imgs/a.jpg", "中山路128号"), RecSample("imgs/c d.jpg", " Free WiFi ")]
    write_labels(folder / "rec.txt", samples)
    label_set = read_labels(folder / "rec.txt", "rec", allowed_chars=ALLOWED)
    assert label_set.samples == tuple(samples)  # spaces inside the text are kept
    assert label_set.image_path(samples[0]) == folder / "imgs" / "a.jpg"


def test_det_round_trip_keeps_points_and_dont_care(folder: Path) -> None:
    samples = [
        DetSample("imgs/a.jpg", (DetRegion("欢迎", ((1, 2), (30, 2), (30, 20), (1, 20))),
                                 DetRegion("###", ((5.5, 6), (9, 6), (9, 9), (5.5, 9))))),
        DetSample("imgs/b.jpg", ()),  # an image without text is a valid det sample
    ]
    write_labels(folder / "det.txt", samples)
    line = (folder / "det.txt").read_text(encoding="utf-8").splitlines()[0]
    assert json.loads(line.split("\t")[1])[0]["points"][0] == [1, 2]  # ints stay ints, as PaddleOCR writes
    label_set = read_labels(folder / "det.txt", "det", allowed_chars=ALLOWED)
    assert label_set.samples == tuple(samples)
    assert [r.dont_care for r in label_set.samples[0].regions] == [False, True]


def test_accepts_what_paddleocr_data_sets_contain(folder: Path) -> None:
    """BOM, CRLF, blank lines, extra keys, '*' don't-care, long polygons, out-of-dictionary
    text in don't-care regions, and a separate image root (PaddleOCR's data_dir)."""
    regions = [
        {"transcription": "Hello", "points": [[0, 0], [10, 0], [10, 5], [0, 5]], "difficult": False},
        {"transcription": "*", "points": [[0, 0], [1, 0], [1, 1], [0, 1]]},
        {"transcription": "###", "points": [[0, 0], [1, 0], [1, 1], [0, 1]], "illegibility": True},
        {"transcription": "曲线", "points": [[x, 0] for x in range(7)] + [[x, 5] for x in range(6, -1, -1)]},
        {"transcription": "###", "points": [[0, 0], [2, 0], [2, 2], [0, 2]], "note": "\u0d9e"},
    ]
    data_dir = folder
    labels = _write(folder / "imgs", f"\ufeffimgs/a.jpg\t{json.dumps(regions)}\r\n\r\n  \nimgs/b.jpg\t[]\r\n")
    label_set = read_labels(labels, "det", allowed_chars=ALLOWED, image_root=data_dir)
    assert [s.image for s in label_set.samples] == ["imgs/a.jpg", "imgs/b.jpg"]
    assert [r.dont_care for r in label_set.samples[0].regions] == [False, True, True, False, True]
    assert len(label_set.samples[0].regions[3].points) == 14


def test_det_images_need_not_be_checked(folder: Path) -> None:
    labels = _write(folder, 'missing.jpg\t[]\n')
    assert len(read_labels(labels, "det", check_images=False).samples) == 1


BAD_REC = [
    ("imgs/a.jpg\tok\nimgs/b.jpg no tab here\n", 2, "no TAB"),
    ("imgs/a.jpg\t\n", 1, "empty transcription"),
    ("\tword\n", 1, "empty image path"),
    ("imgs/a.jpg\tone\ttwo\n", 1, "more than one TAB"),
    ("imgs/a.jpg\tok\nimgs/missing.jpg\tword\n", 2, "image file not found"),
    ("imgs/a.jpg\tok\n\nimgs/b.jpg\t☃ and ☄\n", 3, "2 character(s) not in the dictionary: '☃' '☄'"),
    ('imgs/a.jpg\t[{"transcription": "a", "points": [[0,0],[1,0],[1,1],[0,1]]}]\n', 1, "this is a det label"),
]

BAD_DET = [
    ("imgs/a.jpg\t[]\nimgs/b.jpg\t[{\"transcription\": \"a\", \"points\": [[0,0],[1,0]\n", 2, "bad JSON"),
    ('imgs/a.jpg\t{"transcription": "a"}\n', 1, "expected a JSON list"),
    ('imgs/a.jpg\t[{"points": [[0,0],[1,0],[1,1],[0,1]]}]\n', 1, "region 0: expected an object with"),
    ('imgs/a.jpg\t[{"transcription": "a", "points": [[0,0],[1,0],[1,1]]}]\n', 1, "at least 4 [x, y]"),
    ('imgs/a.jpg\t[{"transcription": "a", "points": [[0,0],[1,0],[1,1],[0]]}]\n', 1, "at least 4 [x, y]"),
    ('imgs/a.jpg\t[{"transcription": "a", "points": [[0,0],[1,0],[1,1],["0","1"]]}]\n', 1, "at least 4 [x, y]"),
    ('imgs/a.jpg\t[{"transcription": 7, "points": [[0,0],[1,0],[1,1],[0,1]]}]\n', 1, "must be a string"),
    ('imgs/a.jpg\t[]\nimgs/a.jpg\t[{"transcription": "ok", "points": [[0,0],[1,0],[1,1],[0,1]]}, '
     '{"transcription": "☃", "points": [[0,0],[1,0],[1,1],[0,1]]}]\n', 2, "not in the dictionary: '☃'"),
    ("imgs/missing.jpg\t[]\n", 1, "image file not found"),
    ("imgs/a.jpg\tplain text\n", 1, "bad JSON"),
]


@pytest.mark.parametrize("kind,text,line,problem", [("rec", *c) for c in BAD_REC] + [("det", *c) for c in BAD_DET])
def test_bad_lines_name_file_and_line(folder: Path, kind: str, text: str, line: int, problem: str) -> None:
    labels = _write(folder, text)
    with pytest.raises(DataError) as e:
        read_labels(labels, kind, allowed_chars=ALLOWED)
    message = str(e.value)
    assert message.startswith(f"{labels}:{line}: "), message
    assert problem in message
    assert "\n" not in message


@pytest.mark.parametrize("text", ["", "\n\n  \r\n"])
def test_empty_label_file(folder: Path, text: str) -> None:
    labels = _write(folder, text)
    with pytest.raises(DataError, match=f"^{labels}: label file has no samples$"):
        read_labels(labels, "rec")


def test_missing_or_undecodable_label_file(folder: Path) -> None:
    with pytest.raises(DataError, match="label file not found"):
        read_labels(folder / "nope.txt", "rec")
    bad = folder / "latin1.txt"
    bad.write_bytes("imgs/a.jpg\tcaf\xe9\n".encode("latin-1"))
    with pytest.raises(DataError, match=f"^{bad}: cannot read label file"):
        read_labels(bad, "rec")


def test_writer_refuses_text_that_breaks_the_format(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        write_labels(tmp_path / "x.txt", [RecSample("a.jpg", "two\tcolumns")])
    assert not (tmp_path / "x.txt").exists()
