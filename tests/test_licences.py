"""The code and the editors' data each carry a licence, shown on 说明 as the licence files state them, and the
official texts are said to be government documents that no licence of ours covers."""

from helpers import ROOT, normalise
from dutylist import licences


def test_licence_files_state_the_licences_the_engine_exposes():
    code = (ROOT / licences.CODE["file"]).read_text(encoding="utf-8")
    data = " ".join((ROOT / licences.DATA["file"]).read_text(encoding="utf-8").split())
    assert code.startswith("MIT License") and licences.CODE["name"] == "MIT"
    assert "Attribution 4.0 International (CC BY 4.0)" in data and licences.DATA["path"] in data
    assert "government bodies" in data and "not licensed by us" in data


def test_about_page_shows_both_licences_and_excludes_the_official_texts(page):
    about = page("about/")
    text = normalise(about.text())
    assert normalise("版权与许可") in text
    assert normalise("知识共享署名 4.0 国际许可协议（CC BY 4.0）") in text and "MIT" in text
    assert normalise("清单原文和本站引用、存档的各项文件是各发布机关的公文") in text
    assert licences.DATA["path"] in about.links()
