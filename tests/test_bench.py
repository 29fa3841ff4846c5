"""The benchmark cannot rot: its smoke run (the real list, one run each) prints its table and writes its JSON."""

import json
import os
import subprocess
import sys

from helpers import ROOT


def test_bench_smoke_run_prints_its_table_and_writes_its_json(tmp_path):
    out = tmp_path / "bench.json"
    result = subprocess.run([sys.executable, str(ROOT / "bench/run.py"), "--smoke", "--out", str(out)],
                            cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    assert "| items (pages) | project (a) |" in result.stdout and "| 27 (" in result.stdout
    assert "Every page has the same visible text" in result.stdout or "Pages whose visible text differs" in result.stdout
    row = json.loads(out.read_text(encoding="utf-8"))["sizes"]["27"]
    assert row["pages"] > 40 and row["project"]["seconds"] > 0 and row["render"]["seconds"] > 0
    assert row["differing_material"] == {}   # plain Material on the rendered pages: the same text everywhere
    assert row["save_to_reload_seconds"] > 0 and row["archive"]["archive_bytes"] > 0
    portal = json.loads(out.read_text(encoding="utf-8"))["portal"]   # a portal of 3 synthetic lists of 3 items
    assert portal["lists"] == 3 and portal["pages"] > 3 * 10 and "Portal of 3 lists × 3 items" in result.stdout
    assert portal["workers_1"]["seconds"] > 0 and portal["workers_2"]["seconds"] > 0 and portal["assembly_share_2"] > 0
    if json.loads(out.read_text(encoding="utf-8"))["zensical_version"]:
        assert row["zensical"]["seconds"] > 0 and "differing_zensical" in row


def test_the_benchmarks_synthetic_lists_pass_check(tmp_path):
    """The large sizes of `make bench` build synthetic lists: they must be valid data, or the benchmark dies after
    its first row (the smoke run above builds only the real list)."""
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from synth import write_dataset
    finally:
        sys.path.remove(str(ROOT / "bench"))
    data = tmp_path / "data"
    data.mkdir()
    write_dataset(data, items=30, groups=3, years=3, documents=10)
    result = subprocess.run([sys.executable, "-m", "dutylist", "--data", str(data), "check"], capture_output=True,
                            text=True, timeout=300, env={**os.environ, "REFERENCE_DATE": "2026-12-05"})
    assert result.returncode == 0, result.stderr
