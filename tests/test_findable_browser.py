"""What a citizen finds at once, measured in Debian's chromium (issue 19 point 8): the latest complete year's verdict
on the first screen, status meanings beside the statuses, any duty within three taps on a phone, a breadcrumb
never cut off, readable text and tappable targets, and search by the subject's everyday name."""

from __future__ import annotations

from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe

from dutylist.status import Status
from test_browser import base_url, browser, search  # noqa: F401  (fixtures shared with the other browser tests)

DESKTOP, PHONE = (1366, 900), (375, 812)


@pytest.fixture
def open_at(browser, base_url):  # noqa: F811
    contexts = []

    def open_page(path: str, size: tuple[int, int]):
        context = browser.new_context(viewport={"width": size[0], "height": size[1]})
        contexts.append(context)
        tab = context.new_page()
        tab.goto(base_url + path)
        return tab

    yield open_page
    for context in contexts:
        context.close()


# Shown to a reader: rendered, not transparent or hidden, and not in a drawer pushed off the side of the screen.
SHOWN = """e => { const r = e.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && r.right > 0 && r.left < innerWidth
        && e.checkVisibility({opacityProperty: true, visibilityProperty: true}); }"""


# --- 1. the latest complete year's verdict on the first screen ---------------------------------------------


@pytest.mark.parametrize("size", [DESKTOP, PHONE])
def test_the_latest_complete_years_verdict_is_on_the_first_screen(open_at, size):
    tab = open_at("", size)
    words, bar = tab.locator(".dl-latest .dl-verdict-words"), tab.locator(".dl-latest .dl-bar")
    assert words.inner_text().startswith("2025年：计入评判的 3 项公开义务中")
    for part in (words, bar):
        box = part.bounding_box()
        assert box["y"] >= 0 and box["y"] + box["height"] <= size[1], (size, box)
    assert tab.evaluate("scrollY") == 0


# --- 3. the meaning of each status within a screen of where it is shown -------------------------------------

# Each status mark (chip, status words, bar segment) belongs to a group: the matrix, an item's strip of years, the
# verdict, or the line it stands in. Some element spelling out that status's meaning must lie within one phone
# screen of the group.
MEANING_DISTANCES = """meanings => {
  const groupOf = e => e.closest('.dl-matrix, .dl-strip, .dl-verdict, .dl-latest, .dl-verdict-year') || e.closest('li, p') || e;
  const explainers = [...document.querySelectorAll('article li, article small, article td')];
  const out = [];
  for (const mark of document.querySelectorAll('article .dl-chip, article .dl-status, article .dl-seg')) {
    const slug = Object.keys(meanings).find(s => mark.classList.contains('dl-' + s));
    const g = groupOf(mark).getBoundingClientRect();
    let best = Infinity;
    for (const x of explainers) {
      if (!x.textContent.includes(meanings[slug])) continue;
      const r = x.getBoundingClientRect();
      best = Math.min(best, Math.max(0, r.top - g.bottom, g.top - r.bottom));
    }
    out.push([slug, mark.textContent.trim().slice(0, 20), best]);
  }
  return out;
}"""


@pytest.mark.parametrize("path", ["", "duties/3/", "duties/6/", "years/2023/", "years/2025/", "groups/1/"])
def test_every_status_is_explained_within_a_screen_of_where_it_is_shown(open_at, path):
    tab = open_at(path, PHONE)
    distances = tab.evaluate(MEANING_DISTANCES, {s.slug: s.meaning for s in Status})
    assert distances and all(slug for slug, _, _ in distances)
    assert [d for d in distances if d[2] > PHONE[1]] == []


# --- 4. search by the subject's everyday name -----------------------------------------------------------


def test_searching_for_the_mayor_finds_the_list_first_then_its_duties(open_at):
    tab = open_at("", DESKTOP)
    pages = [urlsplit(h).path for h in search(tab, "市长")]
    assert pages[0] == "/duties/", pages   # the list itself, then the duties whose pages name the subject
    assert [p for p in pages[1:] if p.rstrip("/").split("/")[-1].isdigit()][:5] == [f"/duties/{n}/" for n in range(1, 6)]
    tab.locator(".md-search-result__link").first.click()
    tab.wait_for_url("**/duties/?h=*")
    assert "即通常所说的市长" in tab.locator("article").inner_text()


# --- 5. any duty within three taps on a phone --------------------------------------------------------------

FIRST_SCREEN_LINKS = """e => [...document.querySelectorAll('a[href]')].filter(a => {
    const r = a.getBoundingClientRect();
    return r.top >= 0 && r.bottom <= innerHeight && r.left >= 0 && r.right <= innerWidth && r.width && r.height
        && a.checkVisibility({opacityProperty: true, visibilityProperty: true}); }).map(a => a.href)"""


def taps_to(open_at, base: str, target: str, limit: int = 3) -> int | None:
    """The fewest taps from the home page to the target page, tapping only links shown on the first screen of
    each page (no scrolling, no menu): breadth first, each page counted once."""
    tab = open_at("", PHONE)
    seen, queue = {base}, deque([(base, 0)])
    while queue:
        url, taps = queue.popleft()
        if taps == limit:
            continue
        tab.goto(url)
        for link in tab.evaluate(FIRST_SCREEN_LINKS, None):
            page = urljoin(link, urlsplit(link).path)   # without #fragment or ?query
            if not page.startswith(base) or page in seen:
                continue
            if page == base + target:
                return taps + 1
            seen.add(page)
            queue.append((page, taps + 1))
    return None


def test_a_phone_reaches_item_27_from_the_home_page_in_at_most_three_taps(open_at, base_url):  # noqa: F811
    taps = taps_to(open_at, base_url, "duties/27/")
    assert taps is not None and taps <= 3, taps


# --- 6. the breadcrumb is never cut off -------------------------------------------------------------------

CUT_OFF = """() => { const path = document.querySelector('.md-path'); if (!path) return ['no breadcrumb'];
  const box = path.getBoundingClientRect(), cut = [];
  if (path.scrollWidth > path.clientWidth + 1) cut.push('scrolls sideways');
  for (const item of path.querySelectorAll('.md-path__item')) {
    const r = item.getBoundingClientRect();
    if (r.left < box.left - 1 || r.right > box.right + 1 || r.right > innerWidth) cut.push(item.textContent.trim());
    if (item.scrollWidth > item.clientWidth + 1 || r.width < 2 * parseFloat(getComputedStyle(item).fontSize))
      cut.push('squeezed: ' + item.textContent.trim());
  }
  return cut; }"""


@pytest.mark.parametrize("size", [DESKTOP, PHONE])
@pytest.mark.parametrize("path", ["duties/27/", "duties/12/", "groups/7/", "parts/3/", "years/2025/"])
def test_the_breadcrumb_is_never_cut_off(open_at, size, path):
    assert open_at(path, size).evaluate(CUT_OFF) == []


# --- 7. readable text and tappable targets at 375 px ---------------------------------------------------------

SMALL_TEXT = "() => { const shown = " + SHOWN + """;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT), small = [];
  while (walker.nextNode()) {
    const text = walker.currentNode.textContent.trim(), e = walker.currentNode.parentElement;
    if (!text || !shown(e)) continue;
    const size = parseFloat(getComputedStyle(e).fontSize);
    if (size < 14) small.push([e.tagName + '.' + e.className, size, text.slice(0, 20)]);
  }
  return small; }"""

SMALL_TARGETS = """() => [...document.querySelectorAll('a[href], button, input:not([type=hidden]), select, summary, label[for]')]
  .filter(""" + SHOWN + """).map(e => [e.tagName + '.' + e.className, e.getBoundingClientRect(), (e.textContent || '').trim().slice(0, 20)])
  .filter(([, r]) => r.width < 24 || r.height < 24).map(([name, r, text]) => [name, Math.round(r.width), Math.round(r.height), text])"""

PAGES = ["", "duties/", "duties/3/", "duties/27/", "years/2024/", "years/2025/"]


@pytest.mark.parametrize("path", PAGES)
def test_text_that_carries_content_is_at_least_14_px_on_a_phone(open_at, path):
    assert open_at(path, PHONE).evaluate(SMALL_TEXT) == []


@pytest.mark.parametrize("path", PAGES)
def test_tap_targets_are_at_least_24_px_square_on_a_phone(open_at, path):
    assert open_at(path, PHONE).evaluate(SMALL_TARGETS) == []


# --- the new parts pass axe too, in the phone layout they were made for -------------------------------------


@pytest.mark.parametrize("path", ["", "duties/", "duties/3/", "years/2024/"])
def test_axe_finds_no_wcag_21_aa_violation_on_a_phone(open_at, path):
    result = Axe().run(open_at(path, PHONE),
                       options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})
    assert [(v["id"], [n["target"] for n in v["nodes"]]) for v in result.response["violations"]] == []
