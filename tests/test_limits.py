"""Work that always ends: data at every limit checks and builds within a stated bound, and data past a limit is
refused quickly, at its file and line. The bounds are generous (a hang or a quadratic blow-up takes minutes to
hours, the work itself seconds); timings are reported by `bench/run.py --limits`, never asserted here.

Bounds: `check` within CHECK_SECONDS, the build within BUILD_SECONDS; no page over PAGE_BYTES, a search index
under INDEX_BYTES (README.md, "Limits").
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from dutylist import export, limits, narrative, status
from dutylist.dataset import load_dataset
from helpers import REFERENCE_DATE, ROOT, Page, copy_project

sys.path.insert(0, str(ROOT / "bench"))
from synth import write_at_limits  # noqa: E402

CHECK_SECONDS = 60
BUILD_SECONDS = 240
PAGE_BYTES = 5 * 1024 * 1024
INDEX_BYTES = 64 * 1024 * 1024
FILE_LIMIT = 2 * 1024 * 1024


def bounded(command: list[str], seconds: float, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run a command in its own process group; fail the test, killing the group (the build's search worker too),
    if it has not ended within `seconds`."""
    env = {**os.environ, "REFERENCE_DATE": REFERENCE_DATE, "CI": "true", "NO_MKDOCS_2_WARNING": "1"}
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               process_group=0)
    try:
        out, err = process.communicate(timeout=seconds)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail(f"{' '.join(command[2:4])} 未在 {seconds} 秒内结束")
    return subprocess.CompletedProcess(command, process.returncode, out, err)


def check(data: Path) -> subprocess.CompletedProcess:
    return bounded([sys.executable, "-m", "dutylist", "--data", str(data), "check"], CHECK_SECONDS)


def build(project: Path, out: Path) -> subprocess.CompletedProcess:
    return bounded([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(project / "mkdocs.yml"),
                    "-d", str(out)], BUILD_SECONDS)


# --- data at every limit, all at once ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def at_limits(tmp_path_factory) -> tuple[Path, Path]:
    project = copy_project(tmp_path_factory.mktemp("limits") / "project")
    shutil.rmtree(project / "data")
    write_at_limits(project / "data")
    out = project.parent / "site"
    checked = check(project / "data")
    assert checked.returncode == 0, checked.stderr[-3000:]
    built = build(project, out)
    assert built.returncode == 0, built.stderr[-3000:]
    return project, out


def test_the_generated_data_is_at_every_limit(at_limits):
    data = at_limits[0] / "data"
    sizes = sorted(p.stat().st_size for p in data.rglob("*") if p.is_file())
    assert limits.MAX_DATA_BYTES * 0.9 < sum(sizes) <= limits.MAX_DATA_BYTES
    assert FILE_LIMIT * 0.9 < sizes[-1] <= FILE_LIMIT
    narratives = [p.read_text(encoding="utf-8") for p in (data / "narratives").iterdir()]
    assert max(len(n.encode()) for n in narratives) > 49 * 1024
    assert max(n.count("{{ render_list() }}") for n in narratives) == narratives[0].count("{{ render_item(2) }}") \
        == narrative.MAX_CALLS
    assert max(n.count("[") for n in narratives) == narrative.MAX_BRACKETS
    documents = yaml.safe_load((data / "documents.yaml").read_text(encoding="utf-8"))["documents"]
    obligations = yaml.safe_load((data / "obligations.yaml").read_text(encoding="utf-8"))["obligations"]
    assert len(documents) == limits.MAX_DOCUMENTS and len(obligations) == limits.MAX_OBLIGATIONS
    assert max(len(d.get("note", "")) for d in documents) == 5000
    year = yaml.safe_load((data / "progress/2026.yaml").read_text(encoding="utf-8"))
    assert sum(map(len, year["items"].values())) == limits.MAX_EVIDENCE_PER_YEAR
    assert max(map(len, year["items"].values())) == limits.MAX_EVIDENCE_PER_ITEM_YEAR


def test_data_at_every_limit_builds_every_page_in_full(at_limits):
    _, site = at_limits
    documents = Page(site / "documents/index.html").find_all("li")
    assert sum(e["attrs"].get("id", "").startswith("doc-") for e in documents) == limits.MAX_DOCUMENTS
    item = Page(site / "duties/1/index.html")
    assert item.html.count("：第1项材料之") >= limits.MAX_OBLIGATIONS_PER_ITEM   # every obligation of the item
    assert sum(e["text"].strip().startswith("49：") for e in item.find_all("li")) == 3   # 50th entry of each full year
    assert item.text().count("第40项材料向社会公开") >= narrative.MAX_CALLS  # the list its narrative shows three times
    year = Page(site / "years/2026/index.html")
    assert sum(e["text"].startswith("0：") for e in year.find_all("p")) == limits.MAX_EVIDENCE_PER_YEAR // 50


def test_no_page_and_no_search_index_grows_past_its_bound(at_limits):
    _, site = at_limits
    largest = max(site.rglob("*.html"), key=lambda p: p.stat().st_size)
    assert largest.stat().st_size < PAGE_BYTES, largest
    assert (site / "search/search_index.json").stat().st_size < INDEX_BYTES


class Reads(list):
    """A list that counts how often it is read through."""

    reads = 0

    def __iter__(self):
        self.reads += 1
        return super().__iter__()


def test_every_status_on_every_page_reads_the_documents_and_searches_once(at_limits):
    """The review's 19,000 obligations × 13,500 documents never finished building: each status looked through every
    document and every search, and each page asked for the same statuses again. Work must not grow with their product."""
    dataset = load_dataset(at_limits[0] / "data", dt.date.fromisoformat(REFERENCE_DATE))
    object.__setattr__(dataset, "documents", Reads(dataset.documents))
    for progress in dataset.years.values():
        progress.searches = Reads(progress.searches)
    for item in dataset.duty_list.items:          # item pages, and the matrix of the home, part and group pages
        status.item_statuses(dataset, item)
        status.coverage(dataset, [item])
    status.coverage(dataset)
    for year in dataset.years:                    # the verdict on the home page, year pages
        status.year_verdict(dataset, year), status.year_counts(dataset, year), status.latest_search(dataset, year)
    records = export.status_records(dataset)      # open data
    assert len(records) == limits.MAX_OBLIGATIONS * len(dataset.years)
    assert sum(len(r.documents) for r in records) == sum(len(d.fulfils) for d in dataset.documents)
    assert dataset.documents.reads <= 2
    assert all(p.searches.reads <= 1 for p in dataset.years.values())


# --- data past a limit: refused at once, at the line to change ------------------------------------------------


def _flood_evidence(data: Path) -> None:
    """One 2 MB year file of distinct evidence for one item (34,538 such entries took 15 minutes to check)."""
    lines = ["year: 2026", "items:", "  1:"]
    size, n = 30, 0
    while size < FILE_LIMIT - 200:
        lines.append(f"    - {{document: rpt-2025, mapping: direct, summary: 证据{n}}}")
        size, n = size + len(lines[-1].encode()) + 1, n + 1
    (data / "progress/2026.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _flood_obligations(data: Path) -> None:
    """As many obligations and documents as 2 MB files hold (the review's 19,000 and 13,500 passed check in 6 s, and
    their build had not ended at 200 s)."""
    def fill(name: str, key: str, entry) -> None:
        text = (data / name).read_text(encoding="utf-8")
        lines, size, n = [], len(text.encode()) + 200, 0
        while size + len(entry(n).encode()) + 1 < FILE_LIMIT:
            lines.append(entry(n))
            size, n = size + len(lines[-1].encode()) + 1, n + 1
        (data / name).write_text(text.replace(f"{key}:\n", f"{key}:\n" + "\n".join(lines) + "\n", 1), encoding="utf-8")
    fill("obligations.yaml", "obligations", lambda n: f"  - {{id: o{n}, kind: other, item: '3', what: x, "
         "quote: 并在市政府门户网站等媒体向社会公开发布, frequency: yearly}")
    fill("documents.yaml", "documents", lambda n: f"  - {{id: d{n}, title: x, publisher: x, published: 2025-05-01, "
         f"url: 'https://www.yingkou.gov.cn/{n}', kind: other, year_covered: 2025, fulfils: [o{n}]}}")


def _flood_calls(data: Path) -> None:
    """48 KB of {{ render_list() }}: it made an 87 MB search index."""
    (data / "narratives").mkdir(exist_ok=True)
    (data / "narratives/1.md").write_text("{{ render_list() }}\n\n" * 2400, encoding="utf-8")


def _every_narrative_shows_the_list(data: Path) -> None:
    """A list of long texts, shown three times in every item's narrative: each narrative within its own limits."""
    text = (data / "list.yaml").read_text(encoding="utf-8")
    (data / "list.yaml").write_text(text.replace("      text: ", "      text: " + "推进法治建设，" * 600, 4), encoding="utf-8")
    (data / "narratives").mkdir(exist_ok=True)
    for n in range(1, 28):
        (data / f"narratives/{n}.md").write_text("说明\n\n{{ render_list() }}\n" * narrative.MAX_CALLS, encoding="utf-8")


def _too_much_data(data: Path) -> None:
    """Six year files of nearly 2 MB each: 12 MB of data in all."""
    comment = "# " + "备注" * (FILE_LIMIT // 6 - 2000) + "\n"
    for year in range(2020, 2026):
        path = data / f"progress/{year}.yaml"
        path.write_text(comment + (path.read_text(encoding="utf-8") if path.exists() else f"year: {year}\nitems: {{}}\n"),
                        encoding="utf-8")


def _typos_among_thousands(data: Path) -> None:
    """5,000 documents and 2,000 evidence entries each citing a mistyped one: a suggestion per typo compared each
    with every document."""
    documents = [f"  - {{id: annual-report-of-the-city-{n}, title: 文件{n}, publisher: 营口市人民政府, published: 2026-05-01, "
                 f"url: 'https://www.yingkou.gov.cn/x/{n}.html', kind: other, year_covered: 2026}}" for n in range(4980)]
    text = (data / "documents.yaml").read_text(encoding="utf-8")
    (data / "documents.yaml").write_text(text.replace("documents:\n", "documents:\n" + "\n".join(documents) + "\n", 1),
                                         encoding="utf-8")
    items = {str(n): [{"document": f"annual-report-of-the-cty-{n * 100 + k}", "mapping": "direct", "summary": "摘要"}
                      for k in range(50)] for n in range(1, 28)}
    (data / "progress/2026.yaml").write_text(yaml.safe_dump({"year": 2026, "items": items}, allow_unicode=True),
                                             encoding="utf-8")


def _too_many_items(data: Path) -> None:
    items = [{"number": n, "text": f"第{n}项职责。"} for n in range(1, limits.MAX_ITEMS + 2)]
    duty_list = yaml.safe_load((data / "list.yaml").read_text(encoding="utf-8"))
    duty_list = {k: v for k, v in duty_list.items() if k != "parts"} | {"items": items}
    (data / "list.yaml").write_text(yaml.safe_dump(duty_list, allow_unicode=True, sort_keys=False), encoding="utf-8")
    shutil.rmtree(data / "progress")
    (data / "progress").mkdir()
    (data / "obligations.yaml").write_text("obligations: []\n", encoding="utf-8")


PAST = [  # (name, change, file, the line named or a text that begins it, words of the message)
    ("evidence-of-one-item-in-a-2-mb-file", _flood_evidence, "progress/2026.yaml", "证据50}", ["每项每年上限 50 条"]),
    ("obligations-and-documents-filling-2-mb", _flood_obligations, "obligations.yaml", "id: o500,", ["上限 500 项"]),
    ("render-list-2400-times", _flood_calls, "narratives/1.md", 7, ["{{ render_list() }} 用了 2400 次，每篇最多 3 次"]),
    ("narratives-showing-the-list-too-often", _every_narrative_shows_the_list, "narratives/", None, ["1,000,000 字"]),
    ("12-mb-of-data", _too_much_data, "", 1, ["数据文件合计", "超过上限 10.0 MB"]),
    ("typos-in-1350-entries-among-5000-documents", _typos_among_thousands, "progress/2026.yaml", "annual-report-of-the-cty-100\n",
     ["未知的文件「annual-report-of-the-cty-100」", "是否应为「annual-report-of-the-city-100」"]),
    ("1001-items", _too_many_items, "list.yaml", "- number: 1001", ["清单共 1001 项条目，超过上限 1000 项"]),
]


@pytest.mark.parametrize("case", PAST, ids=[c[0] for c in PAST])
def test_data_past_a_limit_is_refused_within_the_bound_at_its_line(case, tmp_path):
    name, change, file, line, words = case
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    change(data)
    result = check(data)
    assert result.returncode == 1, result.stderr[-2000:]
    if isinstance(line, str):
        text = (data / file).read_text(encoding="utf-8")
        line = text[:text.index(line)].count("\n") + 1
    where = f"data/{file}:{line}:" if line else f"data/{file}"
    assert any(row.startswith(where) and all(w in row for w in words) and " — " in row
               for row in result.stderr.splitlines()), result.stderr[-3000:]
    assert "Traceback" not in result.stderr


def test_the_build_refuses_a_flooded_year_file_as_fast_as_check(tmp_path):
    """The preview froze on it: the build reads the data as check does, and stops with the same message."""
    project = copy_project(tmp_path / "project")
    _flood_evidence(project / "data")
    result = build(project, tmp_path / "site")
    assert result.returncode != 0 and "每项每年上限 50 条" in result.stderr, result.stderr[-3000:]
