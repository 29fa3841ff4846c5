"""Two clean builds of the same commit and reference date are byte-identical (sitemap, search index, feed, data)."""

from helpers import build, copy_project


def tree(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_two_clean_builds_are_byte_identical(tmp_path):
    trees = []
    for name in ("one", "two"):
        project = copy_project(tmp_path / f"{name}-project")
        result = build(project, tmp_path / f"{name}-site", SOURCE_DATE_EPOCH="1795000000")
        assert result.returncode == 0, result.stderr
        trees.append(tree(tmp_path / f"{name}-site"))
    assert trees[0].keys() == trees[1].keys()
    assert [path for path in trees[0] if trees[0][path] != trees[1][path]] == []
    assert {"sitemap.xml", "sitemap.xml.gz", "search/search_index.json", "feed.xml", "data/statuses.json"} <= trees[0].keys()
