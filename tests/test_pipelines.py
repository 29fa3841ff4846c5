"""The forge pipelines parse, and every command they run is a target of the Makefile."""

import re

import pytest
import yaml

from helpers import ROOT

TARGETS = set(re.findall(r"^([a-z-]+):", (ROOT / "Makefile").read_text(), re.M))


def commands(pipeline: dict) -> dict[str, list[str]]:
    if ".gitlab-ci" in pipeline["_file"]:
        return {name: job["script"] for name, job in pipeline.items() if isinstance(job, dict) and "script" in job}
    return {name: [step["run"] for step in job["steps"] if "run" in step] for name, job in pipeline["jobs"].items()}


@pytest.mark.parametrize("file", [".gitlab-ci.yml", ".github/workflows/site.yml"])
def test_pipeline_jobs_call_project_commands(file):
    pipeline = yaml.safe_load((ROOT / file).read_text(encoding="utf-8"))
    pipeline["_file"] = file
    jobs = commands(pipeline)
    assert jobs
    called = set()
    for job, lines in jobs.items():
        for line in lines:
            match = re.fullmatch(r"(?:sudo )?make ([a-z-]+)", line.strip())
            assert match and match[1] in TARGETS, f"{file} {job}: {line}"
            called.add(match[1])
    assert {"check", "test", "build", "deploy", "watch"} <= called


def test_gitlab_deploys_only_from_the_default_branch_and_watches_links_on_schedule():
    pipeline = yaml.safe_load((ROOT / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    assert pipeline["deploy"]["rules"] == [{"if": "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"}]
    assert pipeline["watch"]["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "schedule"'}]
    assert "allow_failure" not in pipeline["watch"]   # a gone document fails the pipeline loudly
    assert "site/" in pipeline["build"]["artifacts"]["paths"]


def test_github_runs_daily_and_deploys_only_main():
    workflow = yaml.safe_load((ROOT / ".github/workflows/site.yml").read_text(encoding="utf-8"))
    assert workflow[True]["schedule"]  # PyYAML reads the key `on` as True
    assert workflow["jobs"]["deploy"]["if"] == "github.ref == 'refs/heads/main'"


def test_the_deploy_key_is_only_where_nothing_is_built():
    """Editors' data is rendered by the build; the job holding the deploy key only uploads its artifact."""
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^deploy:(.*)$", makefile, re.M)[1].split() == ["$(VENV)/.runtime"]  # no build prerequisite
    gitlab = yaml.safe_load((ROOT / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    assert gitlab["deploy"]["needs"] == ["build"] and gitlab["deploy"]["environment"] == "production"
    assert all("environment" not in job for name, job in gitlab.items() if isinstance(job, dict) and name != "deploy")
    github = yaml.safe_load((ROOT / ".github/workflows/site.yml").read_text(encoding="utf-8"))
    for name, job in github["jobs"].items():
        text = yaml.safe_dump(job)
        holds_secret = "secrets." in text
        assert holds_secret == (name == "deploy"), name
    steps = github["jobs"]["deploy"]["steps"]
    assert any(s.get("uses", "").startswith("actions/download-artifact") for s in steps)
    assert [s["run"] for s in steps if "run" in s] == ["make deploy"]
