"""The built-in corpus fits the dictionary and the fonts, and the sampler mixes it."""

from __future__ import annotations

import numpy as np
import pytest
from fontTools.ttLib import TTFont

from edgeocr.data import corpus
from edgeocr.data.corpus import LineSampler
from edgeocr.data.fonts import FONT_SETS, FONTS, fonts_for
from edgeocr.models.charset import load_charset

ALLOWED = load_charset().allowed()
WORD_LISTS = (corpus.CN_SHOP_SIGNS, corpus.CN_STREETS, corpus.CN_WORDS, corpus.CN_UNITS, corpus.EN_WORDS, corpus.EN_PHRASES)


def _lines(seed: int, n: int) -> list[str]:
    sampler = LineSampler(np.random.default_rng(seed), ALLOWED)
    return [sampler.line() for _ in range(n)]


def test_corpus_is_inside_the_dictionary() -> None:
    missing = {c for words in WORD_LISTS for w in words for c in w if c not in ALLOWED}
    assert not missing


@pytest.mark.parametrize("fonts", sorted(FONT_SETS))
def test_every_font_draws_the_lines_it_is_chosen_for(fonts: str) -> None:
    """No tofu: each face chosen for a line has a glyph for each of its characters."""
    cmaps = {spec: set(TTFont(str(spec.path), fontNumber=spec.index).getBestCmap()) for spec in FONT_SETS[fonts]}
    for line in _lines(0, 400):
        for spec in fonts_for(line, fonts):
            assert {ord(c) for c in line} <= cmaps[spec], (spec.name, line)


def test_the_held_out_fonts_share_no_face_with_training() -> None:
    assert not {f.path for f in FONT_SETS["heldout"]} & {f.path for f in FONTS}
    assert any(f.cjk for f in FONT_SETS["heldout"]) and any(not f.cjk for f in FONT_SETS["heldout"])


def test_sampler_is_seeded_and_mixes_scripts() -> None:
    lines = _lines(7, 300)
    assert lines == _lines(7, 300)
    assert lines != _lines(8, 300)
    assert all(line and all(c in ALLOWED for c in line) for line in lines)
    ascii_only = sum(line.isascii() for line in lines)
    with_digits = sum(any(c.isdigit() for c in line) for line in lines)
    assert 0.15 < ascii_only / len(lines) < 0.7  # both English and Chinese lines
    assert with_digits > 30
    assert any(not line.isascii() and any(c.isdigit() for c in line) for line in lines)  # mixed lines


def test_sampler_respects_a_smaller_dictionary() -> None:
    allowed = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ ")
    sampler = LineSampler(np.random.default_rng(0), allowed)
    assert all(set(sampler.line()) <= allowed for _ in range(50))
