"""Our copy of a Material partial must stay Material's partial with only the change it documents."""

import difflib
from pathlib import Path

import material

from helpers import ROOT

UPSTREAM = Path(material.__file__).parent / "templates/partials/nav-item.html"
OURS = ROOT / "overrides/partials/nav-item.html"


def _changes(old: str, new: str) -> tuple[list[str], list[str]]:
    removed, added = [], []
    for line in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=0):
        if line.startswith("-") and not line.startswith("---"):
            removed.append(line[1:].strip())
        elif line.startswith("+") and not line.startswith("+++"):
            added.append(line[1:].strip())
    return removed, added


def test_nav_item_override_only_moves_the_index_lookup():
    """If this fails after upgrading Material, redo the one change on the new partial (see its header)."""
    upstream, ours = UPSTREAM.read_text(encoding="utf-8"), OURS.read_text(encoding="utf-8")
    body = lambda text: text.split("-#}\n", 1)[1]  # noqa: E731 (the header comment differs by design)
    removed, added = _changes(body(upstream), body(ours))
    assert removed == added, "overrides/partials/nav-item.html differs from Material's beyond the moved block"
    assert any("_.index = item" in line for line in removed), "the index lookup was not moved"
    moved_to = ours.index("{% set _ = namespace(index = none) %}")
    assert ours.rindex("{% if not is_pruned %}", 0, moved_to) > ours.index("{% set is_pruned = true %}")


def test_pruned_sections_still_link_to_their_first_page(page):
    """The change must not alter the nav a reader sees: a collapsed group still links to its index page."""
    nav = page("duties/18/").html
    assert 'href="../../groups/1/"' in nav and "md-nav__item--pruned" in nav
