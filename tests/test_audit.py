"""The dependency audit runs on the daily schedule only, reports, and never blocks an editor's push."""

import re

import yaml

from helpers import ROOT


def test_audit_is_scheduled_strict_pinned_and_never_blocks():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = re.search(r"^audit:.*\n((?:\t.*\n)+)", makefile, re.M)[1]
    assert "pip-audit --strict" in recipe and "-r requirements.txt" in recipe and "-r requirements-test.txt" in recipe
    assert re.search(r"^pip_audit==[\d.]+$", (ROOT / "requirements-audit.txt").read_text(), re.M | re.I)
    gitlab = yaml.safe_load((ROOT / ".gitlab-ci.yml").read_text(encoding="utf-8"))["audit"]
    assert gitlab["script"] == ["make audit"] and gitlab["allow_failure"] is True
    assert gitlab["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "schedule"'}]
    github = yaml.safe_load((ROOT / ".github/workflows/site.yml").read_text(encoding="utf-8"))["jobs"]["audit"]
    assert github["if"] == "github.event_name == 'schedule'" and github["continue-on-error"] is True
    assert [step["run"] for step in github["steps"] if "run" in step] == ["make audit"]
