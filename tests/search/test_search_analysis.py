"""Vietnamese analysis: what the index and the query see of a text."""

from __future__ import annotations

import unicodedata

from search.analysis import (
    bigram_analyzer,
    bigrams,
    diacritic_tokens,
    exact_analyzer,
    fold,
    folded_analyzer,
    symbol_terms,
    token_views,
)


def test_folding_removes_tones_and_folds_d_bar():
    assert fold("quyết định đất đai Đảng ủy") == "quyet dinh dat dai Dang uy"


def test_one_letter_words_are_kept_and_nothing_is_a_stop_word():
    raw, folded = token_views("Ý kiến của Y tế ở xã và các thôn")
    assert raw == ["ý", "kiến", "của", "y", "tế", "ở", "xã", "và", "các", "thôn"]
    assert "o" in folded and "y" in folded and "va" in folded


def test_decomposed_text_tokenises_like_composed_text():
    composed = "Quyết định về việc thành lập Ủy ban"
    decomposed = unicodedata.normalize("NFD", composed)
    assert decomposed != composed
    assert token_views(decomposed) == token_views(composed)


def test_number_symbol_terms_with_and_without_zero_and_diacritics():
    assert symbol_terms("05/QĐ-UBND") == ["5/qd-ubnd", "5", "qd", "ubnd"]
    assert symbol_terms("05/qd-ubnd") == symbol_terms("5/QĐ-UBND")


def test_exact_view_keeps_only_words_with_diacritics():
    raw, _ = token_views("Kim Bôi ban hành quyết định")
    assert diacritic_tokens(raw) == ["bôi", "hành", "quyết", "định"]


def test_fast_path_agrees_with_the_whoosh_analyzers(sentences):
    text = " ".join(sentences[:200]) + " số 05/QĐ-UBND ngày 007"
    raw, folded = token_views(text)
    assert [t.text for t in folded_analyzer()(text)] == folded
    assert [t.text for t in exact_analyzer()(text)] == diacritic_tokens(raw)
    assert [t.text for t in bigram_analyzer()(text)] == bigrams(folded)
