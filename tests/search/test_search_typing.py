"""The way people type (issue #16): punctuation alone, phrases, words half typed,
typos, Telex with the input method off, full-width characters, İ, and text too long."""

from __future__ import annotations

import subprocess
import sys
import time
import unicodedata

from searchkit import ask, make_doc, query

from search import analysis
from search.analysis import SYMBOL_RE, nfc


def hits(backend, text: str, **kw) -> list[str]:
    return ask(backend, text, per_page=100, **kw)


# --- 1. punctuation or operators alone --------------------------------------------------


def test_punctuation_or_operators_alone_find_nothing_but_filters_alone_list(backend, filler):
    backend.index([*filler, make_doc("qd", "Quyết định thành lập tổ công tác", direction="outgoing")])
    for typed in ("?", "*", "-", '"', "/", '""', "***", "? * -", "…", "“”"):
        res = backend.query(query(typed))
        assert (res.total, res.hits) == (0, []), typed
        res = backend.query(query(typed, filters={"direction": "outgoing"}))
        assert res.total == 0, typed
    # No text at all: the filters alone list what they allow (the app's choice).
    assert [h.id for h in backend.query(query("", filters={"direction": "outgoing"})).hits] == ["qd"]
    assert backend.query(query("")).total == len(filler) + 1


# --- 2. a quoted phrase is its words side by side ---------------------------------------


def test_phrase_needs_its_words_side_by_side_not_only_its_word_pairs(backend, filler):
    backend.index(
        [
            *filler,
            make_doc("plan", "Kế hoạch công tác năm 2025 của Ủy ban nhân dân xã"),
            # Every word pair of the phrase is here ("kế hoạch", "hoạch công", "công
            # tác"), but never the four words together.
            make_doc("pairs", "Kế hoạch công khai ngân sách và chế độ công tác phí"),
            # The words in another order.
            make_doc("order", "Công tác kế hoạch hóa gia đình", "Báo cáo công tác kế hoạch"),
        ]
    )
    assert hits(backend, '"kế hoạch công tác"') == ["plan"]
    assert hits(backend, '"ke hoach cong tac"') == ["plan"]
    assert backend.query(query('"ke hoach cong tac"')).total == 1
    # Unquoted, the same words find every document holding them.
    assert {"plan", "pairs", "order"} <= set(hits(backend, "ke hoach cong tac"))


def test_phrase_side_by_side_across_a_symbol_and_within_one_field(backend):
    backend.index(
        [
            make_doc("cite", "Triển khai", "Căn cứ Quyết định số 05/QĐ-UBND ngày 3/9/2025"),
            # Every word pair, "UBND ngày" included, but not the phrase.
            make_doc("split", "Gửi hồ sơ", "Hồ sơ số 05/QĐ-UBND. Gửi UBND ngày 5/9/2025"),
            # The phrase's start in the subject, its end in the content.
            make_doc("fields", "Văn bản số 05/QĐ", "UBND ngày 5/9/2025"),
        ]
    )
    assert hits(backend, '"số 05/QĐ-UBND ngày"') == ["cite"]


# --- 3. the last word while it is being typed -------------------------------------------


def test_last_word_is_completed_while_typing_and_exact_words_rank_first(backend, filler):
    backend.index(
        [
            *filler,
            make_doc("bh", "Kế hoạch tuyên truyền bảo hiểm y tế học sinh"),
            make_doc("qd", "Quyết định phê duyệt kế hoạch"),
            make_doc("di", "Quyết tâm đi đầu trong chuyển đổi số"),
        ]
    )
    assert "bh" in hits(backend, "bảo hiể")
    assert "bh" in hits(backend, "bao hie")
    found = hits(backend, "quyet đi")
    # "đi" as typed ranks above "định", which only starts with it.
    assert found.index("di") < found.index("qd")
    # A space after the word: the word is finished, and no document holds "hie".
    assert hits(backend, "bảo hiể ") == []
    hit = next(h for h in backend.query(query("bảo hiể")).hits if h.id == "bh")
    assert "<mark>bảo</mark> <mark>hiểm</mark>" in hit.subject_html
    # The word being typed is marked as typed where the text has it, else its endings.
    marked = {h.id: h.subject_html for h in backend.query(query("quyet đi")).hits}
    assert marked["di"] == "<mark>Quyết</mark> tâm <mark>đi</mark> đầu trong chuyển đổi số"
    assert marked["qd"] == "<mark>Quyết</mark> <mark>định</mark> phê duyệt kế hoạch"


def test_open_phrase_completes_its_last_word(backend, filler):
    backend.index([*filler, make_doc("bh", "Tuyên truyền về bảo hiểm y tế", "Thu bảo hiểm y tế")])
    assert "bh" in hits(backend, '"bảo hiể')
    assert "bh" in hits(backend, '"ve bao hie')
    assert hits(backend, '"bảo hiể"') == []  # a closed phrase is taken as typed


def test_suggestions_complete_the_last_word_from_documents_one_may_open(backend):
    backend.index(
        [
            make_doc("report", "Báo cáo thực hiện nhiệm vụ"),  # "bao" typed plain is báo too
            make_doc("bh1", "Bảo hiểm xã hội tự nguyện"),
            make_doc("bh2", "Thu bảo hiểm y tế năm 2025"),
            make_doc("bh3", "Chi trả bảo hiểm thất nghiệp"),
            make_doc("hien", "Thực hiện Hiến pháp về bảo hiến"),
            make_doc("secret", "Bảo hiếm kín", acl=["u:9"]),
            make_doc("elsewhere", "Bảo hiệu của xã khác", org_id=2),
        ]
    )
    words = backend.suggest("bảo hiể", 1, {"org:1"})
    assert words[0] == "hiểm"
    assert "hiện" not in words  # typed with "ể": only words that start with it
    plain = backend.suggest("bao hie", 1, {"org:1"})
    assert plain[0] == "hiểm"
    assert "hiến" in plain and "hiếm" not in plain and "hiệu" not in plain
    # The person who may open the confidential one gets its word too.
    assert "hiếm" in backend.suggest("bao hie", 1, {"org:1", "u:9"})
    assert backend.suggest("bảo hiểm ", 1, {"org:1"}) == []  # nothing being typed
    assert backend.suggest("bảo hiể", 1, set()) == []
    assert len(backend.suggest("b", 1, {"org:1"}, limit=3)) == 3


# --- 4. small typos in longer words --------------------------------------------------------


def test_a_typo_in_a_long_word_still_finds_the_document(backend, filler):
    backend.index(
        [
            *filler,
            make_doc("cds", "Kế hoạch chuyển đổi số năm 2025"),
            make_doc("photo", "Mua máy photocopy cho văn phòng"),
            make_doc("thu", "Thu ngân sách xã"),
        ]
    )
    assert hits(backend, "chuyn đổi số")[0] == "cds"  # a letter left out (5 letters)
    assert hits(backend, "kế hoạhc chuyển")[0] == "cds"  # two letters swapped
    assert hits(backend, "máy phtocoppy") == ["photo"]  # two edits in a 9-letter word
    hit = backend.query(query("chuyn đổi")).hits[0]
    assert "<mark>chuyển</mark> <mark>đổi</mark>" in hit.subject_html
    assert hits(backend, "thuu ngân") == []  # short words are taken as typed


def test_a_typo_that_is_another_word_is_corrected_only_when_little_is_found(backend):
    backend.index(
        [
            make_doc("acceptance", "Biên bản nghiệm thu công trình nhà văn hóa thôn Đồng"),
            make_doc("training", "Bồi dưỡng nghiệp vụ thu ngân sách cho công trình giao thông"),
            *(make_doc(f"farm{i}", f"Phát triển nông nghiệp thôn {i}") for i in range(5)),
        ]
    )
    # "nghiep" is a word (nghiệp): the document with all the words as typed comes
    # first, then the one the clerk meant (nghiệm, one letter away), looked for
    # because the words as typed find little.
    assert hits(backend, "nghiep thu cong trinh ") == ["training", "acceptance"]
    # A question the words as typed answer well is taken as typed.
    assert "acceptance" not in hits(backend, "nghiep ")


# --- 5. Telex typed with the input method off -----------------------------------------------


def test_telex_with_the_input_method_off_finds_the_document(backend, filler):
    backend.index(
        [
            *filler,
            make_doc("qd", "Quyết định về việc kiện toàn Ban chỉ đạo"),
            make_doc("ub", "Thông báo của Ủy ban nhân dân xã Kim Bôi"),
            make_doc("dat-land", "Giao đất ở cho hộ gia đình"),
            make_doc("dat-achieve", "Đạt chỉ tiêu kế hoạch năm"),
        ]
    )
    assert hits(backend, "quyeets ddinhj")[0] == "qd"
    assert hits(backend, "uyr ban nhaan daan")[0] == "ub"
    # The tone typed picks the word: đất (land) before đạt (achieve), and back.
    assert hits(backend, "ddaats")[0] == "dat-land"
    assert hits(backend, "ddatj")[0] == "dat-achieve"
    hit = backend.query(query("quyeets ddinhj")).hits[0]
    assert "<mark>Quyết</mark> <mark>định</mark>" in hit.subject_html


def test_a_telex_looking_word_of_the_index_is_taken_as_typed(backend):
    backend.index(
        [
            make_doc("bar", "Quầy bar của nhà văn hóa"),  # "bar" would be Telex for "bả"
            make_doc("ba", "Bà con thôn Ba Vì"),
        ]
    )
    assert hits(backend, "bar") == ["bar"]


# --- 6. compatibility forms ------------------------------------------------------------------


def test_full_width_letters_and_digits_are_the_plain_ones_both_ways(backend, filler):
    backend.index(
        [
            *filler,
            make_doc("n5", "Kế hoạch tiêm chủng", number_symbol="05/QĐ-UBND"),
            make_doc("wide", "Cấp mã ＱＲ cho hộ kinh doanh", "Theo văn bản số １２/ＵＢＮＤ-ＶＰ"),
        ]
    )
    assert hits(backend, "０５/ＱĐ-ＵＢＮＤ") == ["n5"]
    assert hits(backend, "ＱＤ ０５") == ["n5"]
    assert hits(backend, "mã QR") == ["wide"]
    assert hits(backend, "12/UBND-VP") == ["wide"]


def test_compatibility_normalisation_keeps_vietnamese_letters_intact():
    letters = "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵđ"
    text = letters + letters.upper()
    assert nfc(text) == text
    assert nfc(unicodedata.normalize("NFD", text)) == text
    assert nfc("ＱĐ-ＵＢＮＤ ﬁle m² x\xa0y …") == "QĐ-UBND file m2 x y ..."
    for sample in ("Số ０５ ngày…", "Ａ\xa0ｂ ①", "Hòa Bình ⅫＸ"):
        assert nfc(sample) == unicodedata.normalize("NFKC", sample)


# --- 7. a character whose lower case is longer -------------------------------------------------


def test_dotted_capital_i_does_not_shift_snippets_and_highlights(backend):
    backend.index(
        [
            make_doc(
                "ist",
                "Đoàn İstanbul thăm xã theo quyết định của tỉnh",
                "Đoàn khách İSTANBUL İzmir đến làm việc theo quyết định số 12 của UBND tỉnh.",
            )
        ]
    )
    hit = backend.query(query("quyết định")).hits[0]
    assert hit.subject_html == "Đoàn İstanbul thăm xã theo <mark>quyết</mark> <mark>định</mark> của tỉnh"
    assert "theo <mark>quyết</mark> <mark>định</mark> số 12" in hit.snippets[0]
    assert "İSTANBUL İzmir" in hit.snippets[0]
    assert hits(backend, "istanbul") == ["ist"]
    hit = backend.query(query("istanbul")).hits[0]
    assert "<mark>İstanbul</mark>" in hit.subject_html


def test_lower_case_keeps_the_length_of_every_character():
    lower = analysis.lower
    changed = [chr(cp) for cp in range(sys.maxunicode + 1) if len(lower(chr(cp))) != 1]
    assert changed == []
    assert lower("İSTANBUL Quyết") == "istanbul quyết"


# --- 8. the engine's own limits ----------------------------------------------------------------


def test_query_is_cut_at_32_words_and_500_characters(backend, filler):
    words = [f"tu{i}" for i in range(40)]
    backend.index([*filler, make_doc("long", " ".join(words[:32]))])
    # A pasted text of 40 words: the first 32 are used, the rest ignored.
    assert hits(backend, " ".join(words)) == ["long"]
    # Past 500 characters nothing more is read.
    assert hits(backend, " ".join(words[:5]) + " " + "x" * 600 + " khongco") == ["long"]
    started = time.perf_counter()
    for adversarial in ("a" * 100_000, "1/" * 50_000, "a-" * 50_000, '"' * 100_000, "tu0 " * 25_000):
        backend.query(query(adversarial))
    assert time.perf_counter() - started < 5  # each is one small query once cut


def test_symbol_pattern_runs_in_linear_time():
    # Run apart with a deadline: the old pattern took minutes on a 100,000-letter
    # word with no separator (it retried from each letter).
    code = (
        "import time\n"
        "from search.analysis import SYMBOL_RE\n"
        "for s in ('a' * 100_000, '1' * 100_000, '1/' * 50_000, 'a-' * 50_000, 'ab.' * 33_000 + '-'):\n"
        "    t = time.perf_counter(); SYMBOL_RE.findall(s); print(time.perf_counter() - t)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=20)
    assert done.returncode == 0, done.stderr
    assert all(float(t) < 0.5 for t in done.stdout.split())
    assert SYMBOL_RE.findall("số 05/QĐ-UBND, x_12/2020/NĐ-CP; 3.5 và a- -b ...") == [
        "05/QĐ-UBND",
        "12/2020/NĐ-CP",
        "3.5",
    ]
