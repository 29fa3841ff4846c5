"""Benchmark: the project's build against plain Material and Zensical on the same pages (`dutylist render`'s
output), the visible-text difference of every page, save-to-reload time under `mkdocs serve`, and first-visit page
weight. Prints a table and writes bench/results/bench.json.

Usage: make bench   (or .venv/bin/python bench/run.py --sizes 27 300 1000 --runs 3)
       .venv/bin/python bench/run.py --smoke --out FILE   (what `make test` runs: the real list, one run each, and
                                                          a portal of 3 lists of 3 items)
       .venv/bin/python bench/run.py --limits   (only data at every limit: check and build time, page and index sizes)
       .venv/bin/python bench/run.py --portal   (only the portal: 100 synthetic lists of 30 items, 1 and 2 workers)
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import yaml

from dutylist.render import text_differences

sys.path.insert(0, str(Path(__file__).parent))
from synth import write_archive, write_at_limits, write_dataset  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv/bin/python"
BENCH_VENV = ROOT / ".venv-bench"
ZENSICAL = BENCH_VENV / "bin/zensical"
THEME_PAGES = {"404.html"}   # the project's 404 is a theme override, not a page the hooks make
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "REFERENCE_DATE": "2026-12-05", "SOURCE_DATE_EPOCH": "1795000000"}


def timed(command: list[str], cwd: Path, env=ENV) -> tuple[float, float, float]:
    """Wall seconds, the largest process's peak RSS and the whole process tree's peak PSS (MiB; the search
    worker shares pages with its parent, so PSS, not summed RSS), of one command; fails loudly if it fails."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    tree_peak = [0]
    sampler = threading.Thread(target=_sample_tree_pss, args=(process.pid, tree_peak), daemon=True)
    sampler.start()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    sampler.join()
    if status:
        raise SystemExit(f"{' '.join(map(str, command))} failed:\n{process.stderr.read().decode()[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024, tree_peak[0] / 1024


def _sample_tree_pss(pid: int, peak: list[int]) -> None:
    """Every 20 ms, the summed PSS (KiB) of a process and its descendants, until it exits."""
    while True:
        try:
            total = sum(_pss(p) for p in _tree(pid))
        except OSError:   # the process has exited
            return
        peak[0] = max(peak[0], total)
        time.sleep(0.02)


def _tree(pid: int) -> list[int]:
    """The process and its descendants; OSError once the process itself has gone."""
    pids = [pid]
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        try:
            pids += _tree(int(child))
        except OSError:   # a child that exited meanwhile
            pass
    return pids


def _pss(pid: int) -> int:
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0
    found = re.search(r"^Pss:\s+(\d+)", rollup, re.M)   # absent once the process is a zombie
    return int(found[1]) if found else 0


def runs(command, cwd, count) -> dict:
    samples = [timed(command, cwd) for _ in range(count)]
    return {"seconds": statistics.median(s for s, _, _ in samples), "peak_mib": max(m for _, m, _ in samples),
            "tree_peak_pss_mib": max(t for _, _, t in samples), "all_seconds": [round(s, 3) for s, _, _ in samples]}


def portal(folder: Path, lists: int, items: int, count: int) -> dict:
    """A portal of `lists` synthetic lists of `items` items (dutylist/portal.py): the whole build (every list, then
    the assembly) with 1 and with 2 worker processes, and the assembly alone (on the built lists), whose share of
    each build it reports."""
    proj = project(folder / "project", items, data=False)
    (proj / "portal.yaml").write_text(yaml.safe_dump({"name": f"合成门户（{lists} 份清单）", "lists": [
        {"slug": f"list-{n}", "name": f"合成区{n}"} for n in range(1, lists + 1)]}, allow_unicode=True), encoding="utf-8")
    for n in range(1, lists + 1):
        write_dataset(proj / "lists" / f"list-{n}" / "data", items, groups=max(7, items // 25), years=5,
                      documents=max(5, items // 5))   # a document in each of the 5 years
    row = {"lists": lists, "items": items}
    for workers in (1, 2):
        out = folder / f"site-{workers}"
        samples = []
        for _ in range(count):
            shutil.rmtree(out, ignore_errors=True)
            samples.append(timed([PYTHON, "-m", "dutylist", "portal-build", "--out", str(out), "--workers", str(workers)],
                                 proj))
        row[f"workers_{workers}"] = {"seconds": statistics.median(s for s, _, _ in samples),
                                     "tree_peak_pss_mib": max(t for _, _, t in samples),
                                     "all_seconds": [round(s, 3) for s, _, _ in samples]}
    site = folder / "site-2"
    row["assembly"] = runs([PYTHON, "-m", "dutylist", "assemble", "--site", str(site)], proj, count)
    for workers in (1, 2):
        row[f"assembly_share_{workers}"] = row["assembly"]["seconds"] / row[f"workers_{workers}"]["seconds"]
    row["pages"] = len(list(site.rglob("index.html")))
    row["search_index_bytes"] = (site / "search/search_index.json").stat().st_size
    row["search_index_gzip_bytes"] = _gz(site / "search/search_index.json")
    return row


def portal_line(row: dict) -> str:
    one, two = row["workers_1"]["seconds"], row["workers_2"]["seconds"]
    return (f"Portal of {row['lists']} lists × {row['items']} items ({row['pages']} pages): 1 worker {one:.1f} s, "
            f"2 workers {two:.1f} s ({one / two:.2f}× faster; peak PSS {row['workers_2']['tree_peak_pss_mib']:.0f} MiB); "
            f"assembly {row['assembly']['seconds']:.1f} s = {100 * row['assembly_share_1']:.1f} % of the 1-worker build, "
            f"{100 * row['assembly_share_2']:.1f} % of the 2-worker build; combined search index "
            f"{row['search_index_bytes'] / 2**20:.1f} MiB ({row['search_index_gzip_bytes'] / 2**20:.2f} MiB gzipped)")


def project(folder: Path, items: int, data: bool = True) -> Path:
    folder.mkdir(parents=True)
    for name in ["mkdocs.yml", "macros.py", "hooks", "docs", "overrides"]:
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, folder / name)
    if data and items == 27:
        shutil.copytree(ROOT / "data", folder / "data")
    elif data:
        write_dataset(folder / "data", items, groups=max(7, items // 25), years=5, documents=items // 5)
    return folder


def rendered(project_dir: Path, static: Path, count: int) -> dict:
    """`dutylist render`: the same pages as plain Markdown with the same nav, for plain Material and Zensical."""
    return runs([PYTHON, "-m", "dutylist", "render", str(static)], project_dir, count)


def differing_pages(site: Path, other: Path) -> dict[str, str]:
    """Pages whose visible text differs from the project's build, with where."""
    return {page: why for page, why in text_differences(site, other).items() if page not in THEME_PAGES}


def save_to_reload(project_dir: Path, count: int) -> list[float]:
    """Seconds from saving a YAML file to `mkdocs serve` serving the page with the change, for `count` saves."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([PYTHON, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"],
                              cwd=project_dir, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    progress, key = _edited_evidence(project_dir / "data/progress")
    original = progress.read_text(encoding="utf-8")
    page = f"http://127.0.0.1:{port}/duties/{key}/"
    seconds = []
    try:
        _wait_for(page, lambda text: True, 60)
        for n in range(count):
            marker = f"基准标记{n}"
            text = original.replace("summary: ", "summary: " + marker, 1)
            time.sleep(1)  # let the previous rebuild settle, as between an editor's saves
            started = time.perf_counter()
            progress.write_text(text, encoding="utf-8")
            _wait_for(page, lambda body: marker in body, 60)
            seconds.append(time.perf_counter() - started)
        return seconds
    finally:
        progress.write_text(original, encoding="utf-8")
        server.terminate()
        server.wait(timeout=10)


def _edited_evidence(folder: Path) -> tuple[Path, str]:
    """The newest year file with evidence, and the item its first summary belongs to (the one the save edits)."""
    for path in sorted(folder.glob("*.yaml"), reverse=True):
        items = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("items") or {}
        if key := next((str(k) for k, entries in items.items() if entries), None):
            return path, key
    raise SystemExit(f"{folder} 中没有任何进展记录，无法测量保存到刷新的时间")


def _wait_for(url: str, done, limit: float) -> None:
    deadline = time.time() + limit
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if done(response.read().decode("utf-8")):
                    return
        except OSError:
            pass
        time.sleep(0.02)
    raise SystemExit(f"timed out waiting for {url}")


def page_weight(site: Path, page: str) -> dict:
    """Gzipped bytes a first visit transfers (the HTML, its stylesheets and scripts, the search worker), and what
    the first search adds: the index, which the page holds back until the reader turns to search."""
    html = (site / page / "index.html").read_text(encoding="utf-8")
    base = (site / page).resolve()
    assets = {(base / ref).resolve() for ref in re.findall(r'<(?:link rel="stylesheet"|script) [^>]*(?:href|src)="([^"#?]+)', html)}
    assets |= set(site.glob("assets/javascripts/workers/search.*.min.js"))
    sizes = {"html": _gz(base / "index.html"), "css_js": sum(_gz(p) for p in assets)}
    return {**sizes, "total": sum(sizes.values()), "search_index": _gz(site / "search/search_index.json")}


def _gz(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=6, mtime=0))


def ensure_zensical(upgrade: bool = True) -> str | None:
    """The newest Zensical the registry can install, in .venv-bench (kept apart: it pins its own Markdown
    extensions); its version, or None with the reason printed when it cannot be installed."""
    if not (BENCH_VENV / "bin/pip").exists():
        subprocess.run([sys.executable, "-m", "venv", BENCH_VENV], check=True)
    if upgrade or not ZENSICAL.exists():
        installed = subprocess.run([BENCH_VENV / "bin/pip", "install", "-q", "--upgrade", "zensical"],
                                   capture_output=True, text=True)
        if installed.returncode and not ZENSICAL.exists():
            print(f"Zensical cannot be installed, no Zensical row: {installed.stderr.strip()[-500:]}", flush=True)
            return None
    version = subprocess.run([BENCH_VENV / "bin/python", "-c", "from importlib.metadata import version; "
                              "print(version('zensical'))"], capture_output=True, text=True, check=True)
    return version.stdout.strip()


def _cpu_model() -> str:
    try:
        return re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.M)[1]
    except (OSError, TypeError):
        return platform.processor()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[27, 300, 1000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--archive-only", action="store_true", help="only the real list's build with and without an archive")
    parser.add_argument("--smoke", action="store_true",
                        help="the real list only, one run, one save; Zensical as installed (installed if missing, left out if it cannot be)")
    parser.add_argument("--no-zensical", action="store_true", help="no Zensical row")
    parser.add_argument("--limits", action="store_true", help="only data at every limit (dutylist/limits.py)")
    parser.add_argument("--portal", action="store_true", help="only the portal of --portal-lists × --portal-items")
    parser.add_argument("--portal-lists", type=int, default=100)
    parser.add_argument("--portal-items", type=int, default=30)
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/bench.json")
    args = parser.parse_args()
    if args.portal:
        with tempfile.TemporaryDirectory() as tmp:
            print(portal_line(portal(Path(tmp), args.portal_lists, args.portal_items, args.runs)))
        return
    if args.archive_only:
        print(archive_overhead(args.runs))
        return
    if args.limits:
        print(limits_line(at_limits(args.runs)))
        return
    if args.smoke:
        args.sizes, args.runs = [27], 1
    zensical = None if args.no_zensical else ensure_zensical(upgrade=not args.smoke)
    results = {"machine": {"cpus": os.cpu_count(), "cpu": _cpu_model(), "python": platform.python_version(),
                           "platform": platform.platform()},
               "runs": args.runs, "zensical_version": zensical, "sizes": {}}
    with tempfile.TemporaryDirectory() as tmp:
        for items in args.sizes:
            work = Path(tmp) / str(items)
            proj = project(work / "project", items)
            static = work / "static"
            row = {
                "project": runs([PYTHON, "-m", "mkdocs", "build", "-q", "-d", str(work / "a")], proj, args.runs),
                "render": rendered(proj, static, args.runs),
                "material": runs([PYTHON, "-m", "mkdocs", "build", "-q", "-d", str(work / "b")], static, args.runs),
                "pages": len(list((work / "a").rglob("index.html"))),
            }
            row["differing_material"] = differing_pages(work / "a", work / "b")
            row["ratio_material"] = row["project"]["seconds"] / row["material"]["seconds"]
            if zensical:
                # --clean: a full build, as `mkdocs build` always is; without it Zensical reuses its page cache
                row["zensical"] = runs([ZENSICAL, "build", "--clean"], static, args.runs)
                row["zensical_cached"] = runs([ZENSICAL, "build"], static, args.runs)
                row["differing_zensical"] = differing_pages(work / "a", static / "site")
                row["ratio_zensical"] = row["project"]["seconds"] / row["zensical"]["seconds"]
                row["ratio_zensical_cached"] = row["project"]["seconds"] / row["zensical_cached"]["seconds"]
            row["weight_home"] = page_weight(work / "a", "")
            row["weight_item"] = page_weight(work / "a", "duties/1")
            if items == 27:
                row["archive"] = archive_build(Path(tmp) / "archived", args.runs)
                row["archive_overhead"] = row["archive"]["seconds"] / row["project"]["seconds"] - 1
                reloads = save_to_reload(proj, 1 if args.smoke else max(args.runs, 5))
                row["save_to_reload_seconds"] = statistics.median(reloads)
                row["save_to_reload_all"] = [round(r, 3) for r in reloads]
            results["sizes"][items] = row
            print(f"N={items}: done", flush=True)
        # smoke: a tiny portal, so that the portal's bench (and bench/synth.py's lists) cannot rot either
        lists, items = (3, 3) if args.smoke else (args.portal_lists, args.portal_items)
        results["portal"] = portal(Path(tmp) / "portal", lists, items, args.runs)
        print("portal: done", flush=True)
    if not args.smoke:
        results["limits"] = at_limits(args.runs)
    out = args.out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    print("\n" + table(results) + f"\n\nwritten {out}")


def at_limits(count: int) -> dict:
    """Data at every limit at once (bench/synth.py write_at_limits, as tests/test_limits.py builds it): check and
    build times, the largest page and the search index. Figures only: the test asserts generous bounds."""
    with tempfile.TemporaryDirectory() as tmp:
        proj = project(Path(tmp) / "project", 27)
        shutil.rmtree(proj / "data")
        write_at_limits(proj / "data")
        site = Path(tmp) / "site"
        row = {"data_bytes": sum(p.stat().st_size for p in (proj / "data").rglob("*") if p.is_file()),
               "check": runs([PYTHON, "-m", "dutylist", "check"], proj, count),
               "build": runs([PYTHON, "-m", "mkdocs", "build", "-q", "-d", str(site)], proj, count)}
        largest = max(site.rglob("*.html"), key=lambda p: p.stat().st_size)
        row |= {"pages": len(list(site.rglob("index.html"))), "largest_page": str(largest.parent.relative_to(site)),
                "largest_page_bytes": largest.stat().st_size,
                "search_index_bytes": (site / "search/search_index.json").stat().st_size,
                "search_index_gzip_bytes": _gz(site / "search/search_index.json"),
                "site_bytes": sum(p.stat().st_size for p in site.rglob("*") if p.is_file())}
    return row


def limits_line(row: dict) -> str:
    mib = lambda size: f"{size / 2**20:.1f} MiB"  # noqa: E731
    return (f"Data at every limit ({mib(row['data_bytes'])} of data, {row['pages']} pages): check {row['check']['seconds']:.1f} s, "
            f"build {row['build']['seconds']:.1f} s (peak PSS {row['build']['tree_peak_pss_mib']:.0f} MiB); largest page "
            f"{row['largest_page']}/ {mib(row['largest_page_bytes'])}; search index {mib(row['search_index_bytes'])} "
            f"({mib(row['search_index_gzip_bytes'])} gzipped); site {mib(row['site_bytes'])}")


def archive_build(folder: Path, count: int) -> dict:
    """The real list's build with every document archived (synthetic pages of an annual report's length)."""
    proj = project(folder / "project", 27)
    size = write_archive(proj)
    return {**runs([PYTHON, "-m", "mkdocs", "build", "-q", "-d", str(folder / "a")], proj, count), "archive_bytes": size}


def archive_overhead(count: int) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        plain = runs([PYTHON, "-m", "mkdocs", "build", "-q", "-d", str(Path(tmp) / "a")], project(Path(tmp) / "p", 27), count)
        archived = archive_build(Path(tmp) / "archived", count)
    return (f"real list: {plain['seconds']:.2f} s; with an archive of every document ({archived['archive_bytes'] / 1024:.0f} KiB): "
            f"{archived['seconds']:.2f} s; overhead {100 * (archived['seconds'] / plain['seconds'] - 1):+.1f} % "
            f"(median of {count}; all: {plain['all_seconds']} vs {archived['all_seconds']})")


COLUMNS = ["items (pages)", "project (a)", "ms/page", "peak PSS", "render", "Material (b)", "Zensical full (c)",
           "Zensical cached", "a/b", "a/c", "a/cached", "pages ≠ text (b, c)", "first visit, item",
           "first visit, home", "first search adds"]


def table(results: dict) -> str:
    """The results as a Markdown table (seconds are medians; weights are gzipped), then every page whose visible
    text differs from the project's build."""
    version = results.get("zensical_version")
    lines = [f"Zensical: {version or 'not installed'} (c = a plain build of `dutylist render`'s output, as is b)", "",
             "| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    differing = []
    for items, row in results["sizes"].items():
        seconds = lambda key: f"{row[key]['seconds']:.2f} s" if key in row else "–"  # noqa: E731
        ratio = lambda key: f"{row[key]:.2f}" if key in row else "–"  # noqa: E731
        kib = lambda size: f"{size / 1024:.0f} KiB"  # noqa: E731
        cells = [f"{items} ({row['pages']})", seconds("project"), f"{1000 * row['project']['seconds'] / row['pages']:.1f}",
                 f"{row['project']['tree_peak_pss_mib']:.0f} MiB", seconds("render"), seconds("material"),
                 seconds("zensical"), seconds("zensical_cached"), ratio("ratio_material"), ratio("ratio_zensical"),
                 ratio("ratio_zensical_cached"),
                 f"{len(row['differing_material'])}, {len(row['differing_zensical']) if 'differing_zensical' in row else '–'}",
                 kib(row["weight_item"]["total"]), kib(row["weight_home"]["total"]), kib(row["weight_item"]["search_index"])]
        lines.append("| " + " | ".join(cells) + " |")
        for runner in ("material", "zensical"):
            differing += [f"- N={items}, {runner}: {page}: {why}" for page, why in row.get(f"differing_{runner}", {}).items()]
    lines += ["", "Pages whose visible text differs from the project's build:" if differing else
              "Every page has the same visible text as the project's build.", *differing]
    reloads = [row["save_to_reload_seconds"] for row in results["sizes"].values() if "save_to_reload_seconds" in row]
    overhead = [row for row in results["sizes"].values() if "archive_overhead" in row]
    if overhead:
        lines.append(f"\nReal list with every document archived: {overhead[0]['archive']['seconds']:.2f} s, "
                     f"{100 * overhead[0]['archive_overhead']:+.1f} % build time")
    if "limits" in results:
        lines.append("\n" + limits_line(results["limits"]))
    if "portal" in results:
        lines.append("\n" + portal_line(results["portal"]))
    if reloads:
        saves = len(next(row["save_to_reload_all"] for row in results["sizes"].values() if "save_to_reload_all" in row))
        lines.append(f"\nSave to reload under `mkdocs serve` (real list, median of {saves} saves): {reloads[0]:.2f} s")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
