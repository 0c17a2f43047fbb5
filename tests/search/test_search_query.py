"""What a clerk notices when searching: recall, ranking, symbols, snippets, filters."""

from __future__ import annotations

import unicodedata
from datetime import date

from searchkit import ask, make_doc, query


def test_query_without_diacritics_finds_accented_text(backend, filler):
    backend.index([*filler, make_doc("qd", "Quyết định về việc kiện toàn Ban chỉ đạo")])
    assert "qd" in ask(backend, "quyet dinh kien toan")
    assert ask(backend, "quyet dinh kien toan")[0] == "qd"


def test_exact_diacritics_rank_above_folded_only_matches(backend, filler):
    backend.index(
        [
            *filler,
            # "đạt" (achieve) and "đất" (land) fold to the same "dat"; the folded-only
            # document even says it twice, in the subject.
            make_doc("dat-achieve", "Đạt chỉ tiêu, đạt kế hoạch năm"),
            make_doc("dat-land", "Giao đất ở cho hộ gia đình", "Hồ sơ giao đất theo quy định."),
        ]
    )
    hits = ask(backend, "đất")
    assert hits.index("dat-land") < hits.index("dat-achieve")
    hits = ask(backend, "đạt")
    assert hits.index("dat-achieve") < hits.index("dat-land")
    # Without diacritics both are found.
    assert {"dat-land", "dat-achieve"} <= set(ask(backend, "dat"))


def test_d_bar_folds_both_ways(backend):
    backend.index(
        [
            make_doc("d1", "ĐẢNG ỦY XÃ triển khai nghị quyết"),
            make_doc("d2", "dang uy xa hop phien thuong ky"),
        ]
    )
    assert set(ask(backend, "đảng ủy")) == {"d1", "d2"}
    assert set(ask(backend, "dang uy")) == {"d1", "d2"}
    assert ask(backend, "ĐẢNG ỦY")[0] == "d1"


def test_one_letter_words_are_searchable(backend, filler):
    backend.index([*filler, make_doc("y", "Xin ý kiến về thôn Ý Yên", "Nhà văn hóa ở thôn Ý Yên")])
    assert ask(backend, "ý yên")[0] == "y"
    assert ask(backend, '"ở thôn"')[0] == "y"


def test_number_symbol_found_as_typed(backend, filler):
    backend.index(
        [
            *filler,
            make_doc("n5", "Kế hoạch tiêm chủng", number_symbol="05/QĐ-UBND"),
            make_doc("n15", "Kế hoạch khác", number_symbol="15/QĐ-UBND"),
        ]
    )
    for typed in ("05/QĐ-UBND", "05/qd-ubnd", "5/QĐ-UBND"):
        assert ask(backend, typed) == ["n5"], typed
    assert "n5" in ask(backend, "05")
    assert "n15" not in ask(backend, "05")


def test_symbol_cited_in_the_text_is_found(backend):
    backend.index(
        [
            make_doc(
                "cite",
                "Báo cáo thực hiện",
                "Căn cứ Quyết định số 12/QĐ-UBND ngày 3/9/2025 của UBND xã",
            )
        ]
    )
    assert ask(backend, "12/QĐ-UBND") == ["cite"]


def test_decomposed_text_is_found_by_composed_query_and_back(backend):
    nfd = unicodedata.normalize("NFD", "Thông báo lịch tiếp công dân định kỳ")
    backend.index([make_doc("nfd", nfd, nfd)])
    assert ask(backend, "tiếp công dân") == ["nfd"]
    assert ask(backend, unicodedata.normalize("NFD", "định kỳ")) == ["nfd"]


def test_phrase_requires_adjacent_words(backend):
    backend.index(
        [
            make_doc("adj", "Văn bản điện tử được ký số"),
            make_doc("apart", "Văn phòng nhận bản scan, điện thoại và tử tế"),
        ]
    )
    assert ask(backend, '"văn bản điện tử"') == ["adj"]
    assert ask(backend, '"van ban dien tu"') == ["adj"]
    assert set(ask(backend, "van ban dien tu")) == {"adj", "apart"}
    assert ask(backend, "van ban dien tu")[0] == "adj"  # adjacency ranks first


def test_words_are_anded(backend):
    backend.index(
        [make_doc("both", "Kế hoạch chuyển đổi số"), make_doc("one", "Kế hoạch năm 2025")]
    )
    assert ask(backend, "kế hoạch chuyển đổi") == ["both"]


def test_snippets_mark_matches_on_original_accented_text(backend):
    backend.index(
        [
            make_doc(
                "s",
                "Về công tác văn thư",
                "Trung tâm phục vụ hành chính công xã <b>tiếp nhận</b> hồ sơ.",
            )
        ]
    )
    hit = backend.query(query("hanh chinh cong")).hits[0]
    assert "<mark>hành</mark> <mark>chính</mark> <mark>công</mark>" in hit.snippets[0]
    assert "&lt;b&gt;tiếp nhận&lt;/b&gt;" in hit.snippets[0]  # escaped, not markup
    assert "<b>" not in hit.snippets[0]
    assert hit.subject_html == "Về <mark>công</mark> tác văn thư"


def test_filters_and_date_order_and_pagination(backend, filler):
    docs = [
        make_doc(
            f"k{i}",
            f"Kế hoạch số {i} về diễn tập cứu hộ",
            date=date(2025, 1, i + 1),
            direction="outgoing" if i % 2 else "incoming",
            year=2025,
        )
        for i in range(25)
    ]
    backend.index([*filler, *docs])
    res = backend.query(query("diễn tập cứu hộ", order="date", per_page=10))
    assert res.total == 25 and res.pages == 3
    assert [h.id for h in res.hits[:3]] == ["k24", "k23", "k22"]
    pages = [
        backend.query(query("diễn tập cứu hộ", order="date", per_page=10, page=p)).hits
        for p in (1, 2, 3)
    ]
    ids = [h.id for page in pages for h in page]
    assert len(ids) == len(set(ids)) == 25
    out = backend.query(query("diễn tập cứu hộ", filters={"direction": "outgoing"}))
    assert out.total == 12 and all(int(h.id[1:]) % 2 for h in out.hits)
    assert backend.query(query("diễn tập cứu hộ", filters={"year": 2024})).total == 0


def test_update_replaces_and_delete_removes(backend):
    backend.index([make_doc("u", "Dự thảo kế hoạch")])
    backend.index([make_doc("u", "Kế hoạch chính thức")])
    assert ask(backend, "dự thảo") == []
    assert ask(backend, "chính thức") == ["u"]
    backend.delete(["u"])
    assert ask(backend, "kế hoạch") == []


def test_other_organisation_never_appears(backend):
    backend.index(
        [
            make_doc("a", "Kế hoạch phòng chống thiên tai", org_id=1, acl=["org:1"]),
            make_doc("b", "Kế hoạch phòng chống thiên tai", org_id=2, acl=["org:1"]),
        ]
    )
    assert ask(backend, "thiên tai") == ["a"]
