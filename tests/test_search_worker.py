"""The theme's search worker is mended so a Chinese query searches (and highlights) every word in it."""

from pathlib import Path

import material

from dutylist.search import WORKER_FIXES, fixed_worker

WORKERS = Path(material.__file__).parent / "templates/assets/javascripts/workers"


def test_the_pinned_themes_worker_is_mended_and_mending_twice_changes_nothing():
    [worker] = WORKERS.glob("search.*.min.js")
    fixed = fixed_worker(worker.read_text(encoding="utf-8"))
    assert fixed is not None and all(after in fixed and before not in fixed for before, after in WORKER_FIXES)
    assert fixed_worker(fixed) == fixed


def test_an_unknown_worker_is_left_alone():
    assert fixed_worker("self.lunr=function(){};") is None


def test_the_built_site_serves_the_mended_worker(site):
    [worker] = (site / "assets/javascripts/workers").glob("search.*.min.js")
    assert all(after in worker.read_text(encoding="utf-8") for _, after in WORKER_FIXES)
