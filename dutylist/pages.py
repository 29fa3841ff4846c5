"""Which pages the site has and how the navigation nests them: a pure function of the data."""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from .dataset import Dataset


@dataclass(frozen=True)
class Page:
    uri: str                     # source path, e.g. "duties/18.md" → /duties/18/
    template: str                # page template under overrides/macros/
    title: str
    description: str
    variables: dict = field(default_factory=dict)   # identifiers the template reads (never data text)
    # ("hide": ["footer"] on item pages: their own pager goes item by item; Material's would follow the nav)
    pub_date: str = ""           # the newest source date behind the page (portal metadata PubDate), never the build date
    searchable: bool = True      # False for pages that only repeat item pages' text: a smaller, sharper index
    search_boost: float = 1      # item pages rank above pages that only mention a duty's words
    sources: tuple[str, ...] = ()  # data files the page shows, for its "updated" date from their history
    shows_list: bool = False     # renders the list's own text: its publisher is the page's ContentSource


# Below every item page (3) and the plain pages (1) even where their heading matches: the theme weighs a title
# match a thousand times a text match, and an item page's title is its label (二、（一）), its words in its text.
LIST_BOOST = 0.0001


def plan(dataset: Dataset) -> list[Page]:
    """Every generated page, with the data files each one draws on."""
    duty_list = dataset.duty_list
    # the list's date as metadata only when known and confirmed: PubDate states a date as a fact
    listed = duty_list.known_published.isoformat() if duty_list.known_published else ""
    newest = dataset.newest_date()
    # List, part and group pages are searched for what only they hold (preamble, principles, part leads): the items'
    # text on them is left out of the index (data-search-exclude), and they rank below the item pages
    pages = [Page("duties/index.md", "page_list.md", duty_list.shown_title, f"{duty_list.shown_title}全文",
                  {"dl_jsonld": "list", **_aliases(duty_list)}, pub_date=listed, search_boost=LIST_BOOST, sources=("list.yaml",),
                  shows_list=True)]
    for part in duty_list.parts:
        pages.append(Page(f"parts/{part.ordinal}/index.md", "page_part.md", part.title, part.heading,
                          {"dl_part": part.ordinal}, pub_date=listed, search_boost=LIST_BOOST,
                          sources=("list.yaml",), shows_list=True))
    for group in duty_list.groups:
        pages.append(Page(f"groups/{group.ordinal}/index.md", "page_group.md", group.nav_title, group.heading,
                          {"dl_group": group.ordinal}, pub_date=listed, search_boost=LIST_BOOST,
                          sources=("list.yaml",), shows_list=True))
    for item in duty_list.items:
        evidence = dataset.evidence(item)
        sources = ("list.yaml", "obligations.yaml", f"narratives/{item.key}.md",
                   *sorted({f"progress/{year}.yaml" for year, _, _ in evidence}))
        pages.append(Page(f"duties/{item.key}.md", "page_item.md", item.title, item.text[:120],
                          {"dl_item": item.key, "hide": ["footer"]}, dataset.newest_date([doc for _, _, doc in evidence]),
                          sources=sources, shows_list=True, search_boost=3))
    pages.append(Page("years/index.md", "page_years.md", "年度进展", "各年度履职进展与公开情况", pub_date=newest,
                      searchable=False, sources=("progress/", "documents.yaml", "obligations.yaml")))
    for year in dataset.years:
        covered = [d for d in dataset.documents if d.year_covered == year]
        pages.append(Page(f"years/{year}.md", "page_year.md", f"{year}年", f"{year}年度履职进展与公开情况",
                          {"dl_year": year}, pub_date=dataset.newest_date(covered), searchable=False,
                          sources=(f"progress/{year}.yaml", "documents.yaml", "obligations.yaml")))
    pages.append(Page("documents.md", "page_documents.md", "公开文件", "本站引用的全部公开文件", pub_date=newest,
                      sources=("documents.yaml",)))
    return pages


def _aliases(duty_list) -> dict:
    """The subject's everyday names (市长) as the list page's search tags: the theme's search ranks a tag above any
    text, so a search for them leads with the list, then the duties whose pages name the subject."""
    # escaped although the model admits Han characters only: the theme's search shows tags as markup
    return {"tags": [html.escape(a) for a in duty_list.subject_aliases]} if duty_list.subject_aliases else {}


def nav_sections(dataset: Dataset) -> dict[str, list]:
    """Expansions for the placeholder entries of mkdocs.yml's nav, keyed by the placeholder's path."""
    duty_list = dataset.duty_list
    parts = [{part.title: [f"parts/{part.ordinal}/index.md", *_group_entries(part.groups), *_item_entries(part.items)]}
             for part in duty_list.parts]
    listed = [*parts, *_group_entries(duty_list.top_groups), *_item_entries(duty_list.top_items)]
    years = [{f"{y}年": f"years/{y}.md"} for y in dataset.years]
    return {"duties/index.md": ["duties/index.md", *listed], "years/index.md": ["years/index.md", *years]}


def nav_titles(dataset: Dataset) -> dict[str, str]:
    """Section names of mkdocs.yml's nav that depend on what the text calls itself: a 实施办法 is not a 职责清单."""
    duty_list = dataset.duty_list
    return {} if duty_list.is_list else {"duties/index.md": duty_list.document_name}


def _group_entries(groups) -> list[dict]:
    return [{g.nav_title: [f"groups/{g.ordinal}/index.md", *_item_entries(g.items)]} for g in groups]


def _item_entries(items) -> list[dict]:
    return [{i.title: f"duties/{i.key}.md"} for i in items]


def last_changed(page: Page, history: dict) -> str:
    """The newest commit date among the page's data files ("progress/" means every file in it)."""
    dates = [history[s] for s in page.sources if s in history]   # looked up, not searched: 1,000 pages × 1,000 files
    if folders := tuple(s for s in page.sources if s.endswith("/")):
        dates += [day for path, day in history.items() if path.startswith(folders)]
    return max(dates).isoformat() if dates else ""


def _shows(page: Page, path: str) -> bool:
    return any(path == s or (s.endswith("/") and path.startswith(s)) for s in page.sources)


def shows_uncommitted(page: Page, uncommitted: dict) -> bool:
    """Whether one of the page's data files has changes not yet committed (a preview only)."""
    return any(_shows(page, path) for path in uncommitted)
