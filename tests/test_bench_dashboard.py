"""scripts/bench_dashboard.py runs end to end on a tiny commune and reports in the agreed
shape: its last line is one JSON object that a tracking job can read. No timing is
asserted here; the script's figures are for people to read."""

import json
import os
import subprocess
import sys

from tests.conftest import ROOT


def test_bench_dashboard_seeds_times_every_view_and_ends_with_one_json_line(tmp_path):
    run = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "bench_dashboard.py"), "--docs", "300", "--repeat", "1",
         "--backend", "sqlite"],
        cwd=tmp_path, env={**os.environ, "TMPDIR": str(tmp_path)}, capture_output=True, text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    lines = run.stdout.strip().splitlines()
    summary = json.loads(lines[-1])
    assert {"docs", "backend", "p95_ms", "per_view", "load"} <= set(summary)
    assert summary["docs"] == 300 and summary["backend"] == "sqlite"
    assert len(summary["load"]) == 3
    views = summary["per_view"]["sqlite"]
    # Every view the issue names was there to be timed, and none failed.
    assert {"dashboard_month", "dashboard_quarter", "dashboard_year", "legal_incoming_report",
            "legal_outgoing_report", "paperless_year", "page_dashboard", "api_dashboard"} <= set(views)
    assert any(name.startswith("drill:") for name in views)
    assert summary["missing"] == [] and summary.get("failed", {}) == {}
    assert summary["p95_ms"]["sqlite"] == max(views.values())
    # The seeded commune has what the figures count: documents, assignments, outgoing
    # documents with recipients, meetings with participants and tasks.
    rows = summary["rows"]
    assert rows["incoming_document"] >= 300 and rows["assignment"] > 0
    assert 0 < rows["outgoing_document"] < rows["incoming_document"]
    assert rows["meeting"] > 0 and rows["meeting_participant"] > 0 and rows["meeting_task"] > 0
    # Its temporary instance folder (made under TMPDIR) is gone.
    assert not list(tmp_path.iterdir())
