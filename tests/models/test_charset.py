from __future__ import annotations

import pytest

from edgeocr.errors import InputError
from edgeocr.models.charset import default_dict_path, load_charset


def test_ppocr_dictionary_gives_6625_classes() -> None:
    cs = load_charset()
    assert cs.num_classes == 6625 and cs.classes[0] == "<blank>" and cs.classes[-1] == " "


def test_crlf_dictionary_is_read_like_lf(tmp_path) -> None:
    crlf = tmp_path / "keys.txt"
    crlf.write_bytes(default_dict_path().read_bytes().replace(b"\n", b"\r\n"))
    assert load_charset(crlf).chars == load_charset().chars


def test_dictionary_not_matching_model_is_refused(tmp_path) -> None:
    small = tmp_path / "small.txt"
    small.write_text("a\nb\nc\n")
    with pytest.raises(InputError, match="small.txt: 3 entries give 5 classes"):
        load_charset(small).check_matches(6625, "the rec model")


def test_empty_dictionary_is_refused(tmp_path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    with pytest.raises(InputError, match="empty"):
        load_charset(empty)
