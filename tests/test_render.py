"""`dutylist render OUT`: the site as plain Markdown builds with plain Material (no hooks, no macros, no overrides)
to the same visible text on every page, and the same open-data files."""

import os
import subprocess
import sys
from pathlib import Path

import yaml

from helpers import REFERENCE_DATE, ROOT, build, copy_project
from dutylist.render import page_texts, text_differences

sys.path.insert(0, str(ROOT / "bench"))
from synth import write_archive  # noqa: E402

# Files a plain build may make differently, each for a reason of the runner, not of the pages:
# - the search index and Material's search worker: the project's hook tiles Chinese compounds in the index and
#   mends the worker's query segmentation (dutylist/search.py); a plain build has Material's own;
# - sitemap.xml.gz: the gzip header holds the build time.
RUNNER_FILES = {"search/search_index.json", "sitemap.xml.gz"}
THEME_PAGES = {"404.html"}   # the project's Chinese 404 is a theme override, made by no hook


def render(project: Path, out: Path, **env) -> subprocess.CompletedProcess:
    environ = {**os.environ, "REFERENCE_DATE": REFERENCE_DATE, "NO_MKDOCS_2_WARNING": "1", **env}
    return subprocess.run([sys.executable, "-m", "dutylist", "render", str(out)], cwd=project, env=environ,
                          capture_output=True, text=True, timeout=600)


def plain_build(folder: Path, out: Path) -> None:
    """`mkdocs build` in the rendered folder, as an operator would, with nothing of the project's code."""
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-f", str(folder / "mkdocs.yml"), "-d", str(out)],
                            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"}, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr


def assert_same_site(real: Path, plain: Path) -> None:
    differing = {page: why for page, why in text_differences(real, plain).items() if page not in THEME_PAGES}
    assert not differing, "pages whose visible text differs:\n" + "\n".join(f"{p}: {w}" for p, w in differing.items())
    real_files = {p.relative_to(real).as_posix() for p in real.rglob("*") if p.is_file() and p.suffix != ".html"}
    changed = [name for name in sorted(real_files - RUNNER_FILES) if "javascripts/workers/" not in name
               and (not (plain / name).is_file() or (plain / name).read_bytes() != (real / name).read_bytes())]
    assert changed == [], "files missing or different in the plain build"


def test_rendered_site_builds_with_plain_material_to_the_same_text(site, tmp_path):
    out = tmp_path / "rendered"
    result = render(ROOT, out)
    assert result.returncode == 0, result.stderr
    config = "".join(line for line in (out / "mkdocs.yml").read_text(encoding="utf-8").splitlines(True)
                     if not line.startswith("#"))
    assert "hooks" not in config and "macros" not in config and "custom_dir" not in config
    assert yaml.safe_load((out / "nav.yml").read_text(encoding="utf-8"))[0] == {"首页": "index.md"}
    plain_build(out, tmp_path / "plain")
    assert len(page_texts(site)) > 40   # every page of the real site is compared, not an empty set
    assert_same_site(site, tmp_path / "plain")


def test_narratives_and_archive_pages_render_cleaned_and_complete(tmp_path):
    """An editor's narrative reaches the rendered Markdown only as the allow-list cleaned it; archive pages come too."""
    project = copy_project(tmp_path / "project")
    (project / "data/narratives/3.md").write_text(
        "## 编者补充\n\n见[第1项](1.md)。<script>alert(1)</script><b onclick=\"alert(2)\">注意</b>\n\n"
        "{{ render_item(1) }}\n", encoding="utf-8")
    write_archive(project)
    real = tmp_path / "real"
    result = build(project, real)
    assert result.returncode == 0, result.stderr
    out = tmp_path / "rendered"
    result = render(project, out)
    assert result.returncode == 0, result.stderr
    item = (out / "docs/duties/3.md").read_text(encoding="utf-8")
    assert "编者补充" in item and "注意" in item and "<script" not in item and "onclick" not in item
    assert list((out / "docs/archive").glob("*/index.md")) and "not_in_nav" in (out / "mkdocs.yml").read_text()
    plain = tmp_path / "plain"
    plain_build(out, plain)
    assert "<script>alert(1)" not in (plain / "duties/3/index.html").read_text(encoding="utf-8")
    assert_same_site(real, plain)


def test_render_never_replaces_a_folder_it_did_not_write(tmp_path):
    out = tmp_path / "notes"
    out.mkdir()
    (out / "mine.txt").write_text("keep", encoding="utf-8")
    result = render(ROOT, out)
    assert result.returncode == 1
    assert "不是本命令生成的目录" in result.stderr and "Traceback" not in result.stderr
    assert (out / "mine.txt").read_text(encoding="utf-8") == "keep"
