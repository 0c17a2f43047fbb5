"""scripts/crash_test.py, bounded: the server is killed three times under uploads,
issuance and meeting events, and the instance it leaves has no inconsistency and lost
no acknowledged operation."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow


def test_three_kills_under_load_leave_no_inconsistency(template_instance, tmp_path):
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "crash_test.py"), "--kills", "3", "--seed", "7",
         "--template", str(template_instance), "--instance", str(tmp_path / "instance")],
        cwd=ROOT, capture_output=True, text=True, timeout=280, check=False)
    lines = done.stdout.strip().splitlines()
    assert lines, done.stderr[-3000:]
    result = json.loads(lines[-1])
    assert result["kills"] == 3
    assert result["inconsistencies"] == 0 and result["lost_acknowledged"] == 0, done.stdout[-5000:]
    assert result["check_ok_after_repair"] is True, done.stdout[-5000:]
    assert result["succeeded"] >= 4 and result["acknowledged"]["registered"] >= 1
    assert done.returncode == 0
