"""The duty list on the site is the published text, character for character."""

import re

import yaml

from helpers import ROOT, SEED, normalise

LIST_CLASSES = ["dl-preamble", "dl-part-heading", "dl-lead", "dl-clause", "dl-group-heading", "dl-item"]


def seed_lines() -> list[str]:
    """The list's own lines in the published page copy, from the preamble to item 27."""
    lines = [line.strip() for line in SEED.read_text(encoding="utf-8").splitlines() if line.strip()]
    start = next(i for i, line in enumerate(lines) if line.startswith("为深入贯彻"))
    end = next(i for i, line in enumerate(lines) if line.startswith("27."))
    return lines[start:end + 1]


def test_every_seed_line_is_on_the_list_page_and_nothing_else(page):
    shown = [normalise(e["text"]) for cls in LIST_CLASSES for e in page("duties/").find_all(cls=cls)]
    expected = [normalise(line) for line in seed_lines()]
    assert len(expected) == 1 + 3 * 2 + 6 + 4 + 7 + 27
    assert sorted(shown) == sorted(expected)


def test_item_pages_show_their_item_text(page):
    for line in seed_lines():
        if match := re.match(r"^(\d+)\.", line):
            assert normalise(line) in normalise(page(f"duties/{match[1]}/").text()), line


def test_list_text_uses_full_width_chinese_punctuation(page):
    for cls in LIST_CLASSES:
        for element in page("duties/").find_all(cls=cls):
            text = re.sub(r"^\d+\.", "", element["text"].strip())
            assert not set(text) & set(",;:()"), text


def test_list_metadata_matches_the_published_page():
    data = yaml.safe_load((ROOT / "data/list.yaml").read_text(encoding="utf-8"))
    seed = SEED.read_text(encoding="utf-8")
    assert data["title"] in seed
    assert f"发布时间:{data['published']}" in seed
    assert "issuer" not in data   # the page names no issuer: its 作者 line is a byline, shown as such
    assert f"作者:{data['byline']}" in seed
    assert data["source_url"] == "http://sf.yingkou.gov.cn/002/20231013/a877ef36-55bf-4535-bcfa-104d4c894438.html"
