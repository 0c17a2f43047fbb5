"""Telex keys typed with the input method off, read back as Vietnamese (search.telex)."""

from __future__ import annotations

import pytest

from search.telex import decode, has_markers


@pytest.mark.parametrize(
    ("typed", "word"),
    [
        # the examples
        ("quyeets", "quyết"),
        ("ddinhj", "định"),
        ("uyr", "ủy"),
        ("nhaan", "nhân"),
        ("daan", "dân"),
        # each modifier key
        ("caaps", "cấp"),
        ("nawm", "năm"),
        ("ddeemf", "đềm"),
        ("khoong", "không"),
        ("mowis", "mới"),
        ("thuw", "thư"),
        ("tw", "tư"),
        ("w", "ư"),
        ("truwowngf", "trường"),
        ("truowngf", "trường"),  # "uo" + w is "ươ"
        ("nguwowif", "người"),
        ("nuwowcs", "nước"),
        ("ddaats", "đất"),
        ("ddatj", "đạt"),
        # each tone key, and z that takes the tone away
        ("las", "lá"),
        ("laf", "là"),
        ("lar", "lả"),
        ("lax", "lã"),
        ("laj", "lạ"),
        ("lasz", "la"),
        # the modifier or the tone after the final consonant (Unikey accepts both)
        ("vieetj", "việt"),
        ("vietej", "việt"),
        ("vietje", "việt"),
        ("tinhs", "tính"),
        # where the tone goes
        ("giaos", "giáo"),
        ("gif", "gì"),
        ("quaf", "quà"),
        ("quys", "quý"),
        ("xoays", "xoáy"),
        ("hoawcj", "hoặc"),
        ("chuwa", "chưa"),
        ("cuwar", "cửa"),
        ("thuwj", "thự"),
        ("tieengs", "tiếng"),
        ("khuyeens", "khuyến"),
        ("ngoaif", "ngoài"),
        ("DDINHJ", "định"),
    ],
)
def test_telex_keys_give_the_vietnamese_word(typed, word):
    assert decode(typed)[0] == word


def test_old_and_new_tone_places_are_both_given():
    assert decode("hoaf") == ["hòa", "hoà"]
    assert decode("thuyr") == ["thủy", "thuỷ"]
    assert decode("hoanf") == ["hoàn"]  # a final consonant: one place only


@pytest.mark.parametrize(
    "typed",
    [
        "ban", "dan", "nhan", "cong", "xa",  # plain words: no Telex key in them
        "process", "data", "windows", "http",  # foreign words: no Vietnamese syllable
        "nhana",  # a vowel doubled after the final consonant, with no other key
        "dass",  # a tone key typed twice is the letter itself
        "qus",  # the u of "qu" cannot carry a tone
        "ba1", "quyết", "",  # not plain letters
    ],
)
def test_words_that_are_not_telex_are_left_alone(typed):
    assert decode(typed) == []


def test_markers_are_what_acts_as_a_key():
    assert has_markers("quyeets") and has_markers("ddi") and has_markers("tw")
    assert not has_markers("sang")  # s before any vowel is the consonant
    assert not has_markers("tre")
    assert not has_markers("Việt")
