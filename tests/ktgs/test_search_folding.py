"""The one folding rule of search (ktgs.search.fold) and the words a query makes."""

import unicodedata

import pytest

from ktgs import search


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Sở Tài chính", "so tai chinh"),
        ("Hà Phong", "ha phong"),
        ("Công an tỉnh", "cong an tinh"),
        ("Đảng ủy Khối Các cơ quan", "dang uy khoi cac co quan"),
        ("đường Điện Biên", "duong dien bien"),
        # Every vowel with every tone, and the hat, breve and horn.
        ("àáảãạ ăằắẳẵặ âầấẩẫậ", "aaaaa aaaaaa aaaaaa"),
        ("èéẻẽẹ êềếểễệ", "eeeee eeeeee"),
        ("ìíỉĩị", "iiiii"),
        ("òóỏõọ ôồốổỗộ ơờớởỡợ", "ooooo oooooo oooooo"),
        ("ùúủũụ ưừứửữự", "uuuuu uuuuuu"),
        ("ỳýỷỹỵ", "yyyyy"),
        ("ÀÁẢÃẠ ƯỪỨỬỮỰ Ơ Ô Ă Â Ê", "aaaaa uuuuuu o o a a e"),
        # Codes and document numbers keep their punctuation.
        ("KCQ.06.03", "kcq.06.03"),
        ("103-KH/ĐUK", "103-kh/duk"),
        ("516a-QĐ/UBKT", "516a-qd/ubkt"),
        # The Icelandic eth, often typed for Đ.
        ("Ðảng bộ", "dang bo"),
        # White space: trimmed and single.
        ("  Chi bộ \t Tổ 3\n", "chi bo to 3"),
        ("", ""),
        (None, ""),
    ],
)
def test_fold(text, folded):
    assert search.fold(text) == folded


def test_a_name_typed_with_decomposed_accents_folds_like_the_composed_one():
    composed = "Nguyễn Thị Hồng Nhung"
    decomposed = unicodedata.normalize("NFD", composed)
    assert decomposed != composed
    assert search.fold(decomposed) == search.fold(composed) == "nguyen thi hong nhung"


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("tai chinh", ["tai", "chinh"]),
        ("Tài  Chính", ["tai", "chinh"]),
        ("KCQ.06", ["kcq.06"]),
        ("chi bo chi bo", ["chi", "bo"]),
        ("   ", []),
        ("a b c d e f g h i j", ["a", "b", "c", "d", "e", "f", "g", "h"]),
    ],
)
def test_terms(query, words):
    assert search.terms(query) == words


def test_an_empty_query_matches_every_row():
    assert search.matching("  ") == search.Q()


def test_every_word_must_be_found():
    q = search.matching("tai chinh")
    assert q.connector == "AND"
    assert q.children == [("search_text__contains", "tai"), ("search_text__contains", "chinh")]


def test_control_characters_are_spaces():
    assert search.fold("Tài\x00chính\u200b") == "tai chinh"
