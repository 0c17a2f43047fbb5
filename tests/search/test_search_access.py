"""A staff member never learns of a document they cannot open: no hit, no snippet,
no count."""

from __future__ import annotations

from searchkit import make_doc, query

SECRET_WORDS = "kỷ luật cán bộ"


def _commune(backend):
    backend.index(
        [
            make_doc("open", "Thông báo họp giao ban", acl=["org:1"]),
            make_doc("unit3", f"Hồ sơ {SECRET_WORDS} phòng Văn hóa", acl=["unit:3", "role:leader"]),
            make_doc("mine", f"Báo cáo {SECRET_WORDS} của tôi", acl=["u:12"]),
            *[
                make_doc(f"hidden{i}", f"Tờ trình {SECRET_WORDS} số {i}", acl=["role:leader"])
                for i in range(7)
            ],
        ]
    )


def test_staff_sees_only_documents_in_their_acl(backend):
    _commune(backend)
    staff = {"u:12", "unit:1", "role:staff", "org:1"}
    res = backend.query(query(SECRET_WORDS, staff, per_page=100))
    assert [h.id for h in res.hits] == ["mine"]
    assert res.total == 1 and res.pages == 1  # nothing leaks through the count


def test_hidden_documents_never_appear_in_snippets_or_later_pages(backend):
    _commune(backend)
    staff = {"u:12", "org:1"}
    for page in (1, 2, 3):
        res = backend.query(query("ky luat", staff, page=page, per_page=1))
        for hit in res.hits:
            assert hit.id == "mine"
            assert "Tờ trình" not in " ".join(hit.snippets) + hit.subject_html
    assert backend.query(query("tờ trình", staff)).total == 0


def test_leader_sees_everything_granted_to_the_role(backend):
    _commune(backend)
    res = backend.query(query(SECRET_WORDS, {"role:leader"}, per_page=100))
    assert res.total == 8
    assert {h.id for h in res.hits} == {"unit3", *(f"hidden{i}" for i in range(7))}


def test_no_principals_means_no_results(backend):
    _commune(backend)
    assert backend.query(query(SECRET_WORDS, set())).total == 0
