"""The dashboard's figures against a commune whose answers are known, and the list behind
each figure holding exactly what it counts."""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest

from docmgmt.core.errors import DomainError
from docmgmt.core.timeutil import vn_today
from docmgmt.extensions import db
from docmgmt.reports import figures, periods
from docmgmt.reports.scope import Level, Scope
from tests.reports_support import build_november, incoming, outgoing, unit, user, vn

NOV = periods.month(2026, 11)
TODAY = date(2026, 12, 7)  # a Monday


@pytest.fixture
def commune(ctx):
    return build_november()


def scope_of(username: str, **args) -> Scope:
    return Scope.of(user(username), {k: str(v) for k, v in args.items()})


def ids(scope: Scope, key: str, by=None, value=None) -> set[int]:
    query = figures.drilldown(scope, NOV, TODAY, key, by, value)
    return {doc.id for doc in db.session.scalars(query)}


def test_the_chairman_sees_the_communes_handling_figures(commune):
    data = figures.dashboard(scope_of("chutich"), NOV, TODAY)
    total = data["handling"]["total"]
    got = {name: total[name]["value"] for name in figures.HANDLING_KEYS}
    assert got == {"received": 12, "on_time": 3, "late": 2, "no_deadline": 1, "open_in_time": 3,
                   "open_overdue": 2, "returned": 1}
    assert total["rate"] == 0.6  # 3 on time of 5 done with a deadline
    head = {h["key"]: h["value"] for h in data["headline"]}
    assert head["incoming.received"] == 12
    assert data["confidential"] == {"incoming": 1, "outgoing": 0}


def test_done_on_the_deadline_day_counts_on_time_even_late_at_night(commune):
    chair = scope_of("chutich")
    assert commune["at_night"].id in ids(chair, "incoming.on_time")
    assert commune["after_midnight"].id in ids(chair, "incoming.late")
    assert commune["after_midnight"].id not in ids(chair, "incoming.on_time")


def test_per_unit_and_per_person(commune):
    data = figures.dashboard(scope_of("chutich"), NOV, TODAY)
    by_unit = {row["label"]: row for row in data["handling"]["by_unit"]}
    kt = by_unit["Phòng Kinh tế"]
    assert (kt["received"]["value"], kt["on_time"]["value"], kt["late"]["value"]) == (9, 3, 2)
    assert kt["open_overdue"]["value"] == 1 and kt["rate"] == 0.6
    assert by_unit["Văn phòng HĐND và UBND"]["open_overdue"]["value"] == 1
    # Nobody handles the undirected and the returned documents: the last line of the table.
    assert data["handling"]["by_unit"][-1]["key"] is None
    assert data["handling"]["by_unit"][-1]["received"]["value"] == 2
    by_person = {row["label"]: row for row in data["handling"]["by_person"]}
    duc = by_person["Phạm Văn Đức"]
    assert (duc["on_time"]["value"], duc["late"]["value"], duc["rate"]) == (3, 1, 0.75)
    assert by_person["Đỗ Thị Hà"]["late"]["value"] == 1
    assert by_person["Đỗ Thị Hà"]["open_in_time"]["value"] == 2


def _follow(link: str) -> tuple[str, dict]:
    query = {k: v[0] for k, v in parse_qs(urlsplit(link).query, keep_blank_values=True).items()}
    return query.pop("figure"), query


def _cells(data: dict):
    yield from data["headline"]
    for series in data["series"].values():
        yield from series
    for table in (data["handling"], data["load"]):
        for row in [table["total"], *table["by_unit"], *table["by_person"]]:
            yield from (v for v in row.values() if isinstance(v, dict) and "link" in v)
    yield from (data["outgoing"]["issued"], data["outgoing"]["in_flow"], data["meetings"]["held"],
                data["meetings"]["votes"], data["meetings"]["consultations"])
    yield from (v for v in data["meetings"]["tasks"].values() if isinstance(v, dict))


@pytest.mark.parametrize("username", ["chutich", "truongkt", "cv.kt1", "vanthu"])
def test_every_figure_links_to_exactly_the_documents_it_counts(commune, username):
    reader = user(username)
    data = figures.dashboard(Scope.of(reader), NOV, TODAY)
    checked = 0
    for cell in _cells(data):
        key, args = _follow(cell["link"])
        period = periods.parse(args, TODAY)
        scope = Scope.of(reader, args)
        by = args.get("by")
        value = (args.get("value") or None) if by else None
        assert figures.count(scope, period, TODAY, key, by, value) == cell["value"], (key, args)
        checked += 1
    assert checked > 40


def test_a_head_of_unit_sees_what_was_given_to_the_unit_only(commune):
    data = figures.dashboard(scope_of("truongkt"), NOV, TODAY)
    assert data["scope"]["level"] == Level.UNIT
    # Given to the unit: handed on to Đức (on time) and to Hà (late), and the one not handed on.
    assert data["handling"]["total"]["received"]["value"] == 3
    assert ids(scope_of("truongkt"), "incoming.received") == {
        commune["via_unit"].id, commune["two_days_late"].id, commune["unit_overdue"].id}
    assert data["confidential"] is None
    with pytest.raises(DomainError):
        scope_of("truongkt", unit=unit("VP").id)


def test_a_staff_member_sees_their_own(commune):
    scope = scope_of("cv.kt1")
    assert scope.level is Level.OWN
    data = figures.dashboard(scope, NOV, TODAY)
    assert data["handling"]["total"]["on_time"]["value"] == 3
    assert data["handling"]["total"]["late"]["value"] == 1
    assert ids(scope, "incoming.received") == {commune[k].id for k in
                                               ("early", "at_night", "via_unit", "after_midnight")}
    with pytest.raises(DomainError):
        scope_of("cv.kt1", person=user("cv.kt2").id)


def test_the_chairman_narrows_to_a_unit_and_a_person(commune):
    kt = scope_of("chutich", unit=unit("KT").id)
    assert figures.count(kt, NOV, TODAY, "incoming.received") == 9
    ha = scope_of("chutich", person=user("cv.kt2").id)
    assert ids(ha, "incoming.late") == {commune["two_days_late"].id}


def test_another_commune_and_confidential_entries_never_count(commune):
    everything = ids(scope_of("chutich"), "incoming.received")
    assert commune["other_commune"].id not in everything
    assert commune["secret"].id not in everything
    assert commune["october"].id not in everything
    lacson = Scope.of(user("cv.lacson"))
    assert ids(lacson, "incoming.received") == {commune["other_commune"].id}


def test_an_administrator_sees_no_figures(commune):
    with pytest.raises(DomainError) as refused:
        Scope.of(user("quantri"))
    assert refused.value.status == 403


def test_load_due_soon_counts_working_days_past_the_holidays(ctx):
    """Friday 28/8/2026; 1 and 2/9 are Quốc khánh: three working days on is Friday 4/9."""
    org = user("chutich").organisation_id
    duc = user("cv.kt1")
    soon = incoming(org, date(2026, 8, 20), to=duc, deadline=date(2026, 9, 4))
    later = incoming(org, date(2026, 8, 20), to=duc, deadline=date(2026, 9, 7))
    late = incoming(org, date(2026, 8, 20), to=duc, deadline=date(2026, 8, 27))
    db.session.commit()
    friday = date(2026, 8, 28)
    chair = scope_of("chutich")
    aug = periods.month(2026, 8)
    due = {d.id for d in db.session.scalars(figures.drilldown(chair, aug, friday, "load.due_soon"))}
    overdue = {d.id for d in db.session.scalars(figures.drilldown(chair, aug, friday, "load.overdue"))}
    assert due == {soon.id}
    assert overdue == {late.id}
    assert later.id not in due | overdue


def test_outgoing_and_time_to_issue(ctx):
    org = user("chutich").organisation_id
    duc, ha = user("cv.kt1"), user("cv.kt2")
    outgoing(org, duc, status="issued", created=date(2026, 11, 2), issued_on=date(2026, 11, 4),
             issued_at=vn(date(2026, 11, 4), 8))  # two days
    outgoing(org, ha, status="issued", created=date(2026, 11, 10), issued_on=date(2026, 11, 14),
             issued_at=vn(date(2026, 11, 14), 8))  # four days
    outgoing(org, ha, status="reviewing", created=date(2026, 11, 20))
    outgoing(org, duc, status="draft", created=date(2026, 10, 1))
    outgoing(org, duc, status="issued", created=date(2026, 10, 1), issued_on=date(2026, 10, 3))
    outgoing(org, duc, status="issued", created=date(2026, 11, 1), issued_on=date(2026, 11, 2),
             confidential=True)
    db.session.commit()
    data = figures.dashboard(scope_of("chutich"), NOV, TODAY)
    assert data["outgoing"]["issued"]["value"] == 2
    assert data["outgoing"]["avg_days_to_issue"] == 3.0
    assert data["outgoing"]["in_flow"]["value"] == 2
    stages = {s["key"]: s["value"] for s in data["series"]["drafts_by_stage"]}
    assert stages["draft"] == 1 and stages["reviewing"] == 1 and stages["signed"] == 0
    assert data["confidential"]["outgoing"] == 1
    year = figures.dashboard(scope_of("chutich"), periods.year(2026), TODAY)
    months = {m["key"]: m["value"] for m in year["series"]["issued_per_month"]}
    assert len(months) == 12 and months["2026-11"] == 2 and months["2026-10"] == 1


def test_written_consultations_closed_in_the_period_count_for_those_who_see_them(ctx):
    from meetings import consultations as ops
    from tests.test_consultations import build_consultation

    closed = build_consultation()
    ops.close(user("chutich"), closed)
    still_open = build_consultation(title="Về việc điều chỉnh kế hoạch đầu tư công")
    db.session.commit()
    today = vn_today()
    this_month = periods.parse({}, today)
    chair = figures.dashboard(scope_of("chutich"), this_month, today)
    assert chair["meetings"]["consultations"]["value"] == 1
    found = {c.id for c in db.session.scalars(
        figures.drilldown(scope_of("chutich"), this_month, today, "meetings.consultations"))}
    assert found == {closed.id} and still_open.id not in found
    # Not asked, not its issuer: a staff member's own figures do not count it.
    staff = figures.dashboard(scope_of("cv.kt1"), this_month, today)
    assert staff["meetings"]["consultations"]["value"] == 0
