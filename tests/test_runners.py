"""ProperDocs, the runner to switch to when MkDocs stops working (README, "When MkDocs or Material stops
working"), builds this project to the same files as MkDocs, byte for byte but for the generator tag."""

import os
import re
import subprocess
import sys

from helpers import REFERENCE_DATE, ROOT

# The one runner-specific byte: <meta name="generator" content="mkdocs-1.6.1, …"> names the program that built
# the page ("mkdocs-ProperDocs 1.6.7, …"). Nothing else may differ.
GENERATOR = re.compile(rb'<meta name="generator" content="[^"]*">')


def build_with(runner: str, out) -> dict[str, bytes]:
    env = {**os.environ, "REFERENCE_DATE": REFERENCE_DATE, "SOURCE_DATE_EPOCH": "1795000000", "CI": "true",
           "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run([sys.executable, "-m", runner, "build", "--strict", "-f", str(ROOT / "mkdocs.yml"),
                             "-d", str(out)], env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    return {p.relative_to(out).as_posix(): GENERATOR.sub(b"", p.read_bytes()) for p in sorted(out.rglob("*")) if p.is_file()}


def test_properdocs_builds_the_same_site_as_mkdocs(tmp_path):
    mkdocs = build_with("mkdocs", tmp_path / "mkdocs")
    properdocs = build_with("properdocs", tmp_path / "properdocs")
    assert b"mkdocs-ProperDocs" in (tmp_path / "properdocs/index.html").read_bytes()   # ProperDocs really built it
    assert sorted(mkdocs) == sorted(properdocs)
    differing = [name for name in mkdocs if mkdocs[name] != properdocs[name]]
    assert differing == [], f"files ProperDocs builds differently: {differing}"
    assert len(mkdocs) > 50


def test_build_and_preview_say_when_material_reaches_end_of_life():
    """The project's one-line notice (Material's own is switched off by NO_MKDOCS_2_WARNING) gives the date the
    installed Material wheel states, and names a README section that exists."""
    import datetime as dt
    from importlib.metadata import distribution

    stated = re.search(r"reaches end of life on (\w+ \d+, \d{4})", distribution("mkdocs-material").read_text("METADATA"))
    date = dt.datetime.strptime(stated[1], "%B %d, %Y").date().isoformat()
    for target in ("build", "serve"):   # each prints the notice first (make -n: shows what it would run)
        assert date in subprocess.run(["make", "-n", target], cwd=ROOT, capture_output=True, text=True,
                                      timeout=60).stdout
    notice = subprocess.run(["make", "-s", "notice"], cwd=ROOT, capture_output=True, text=True, timeout=60).stderr
    assert date in notice and "Material for MkDocs" in notice
    section = re.search(r"「(.+?)」", notice)[1]
    assert f"## {section}" in (ROOT / "README.md").read_text(encoding="utf-8")
