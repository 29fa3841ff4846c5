import pytest

from helpers import ROOT, Page, build


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """The real site, built once from the shipped data with a fixed reference date."""
    out = tmp_path_factory.mktemp("site")
    result = build(ROOT, out)
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="session")
def page(site):
    def open_page(url: str) -> Page:
        return Page(site / url.strip("/") / "index.html" if url.strip("/") else site / "index.html")
    return open_page
