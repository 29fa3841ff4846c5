"""Open data a journalist can cite: a Frictionless data package that validates, one reproducible zip, linked-data
metadata in the pages, a download page that speaks plainly, and no production deploy without the site's address."""

import csv
import datetime as dt
import hashlib
import io
import json
import re
import shutil
import subprocess
import time
import zipfile
from urllib.parse import urljoin

import frictionless
import jsonschema
import pytest

from dutylist import bundle
from dutylist.cli import main
from dutylist.dataset import load_dataset
from helpers import REFERENCE_DATE, ROOT, Page

DATA_FILES = re.compile(r".+\.(csv|json)$")


def published(site) -> set[str]:
    return {p.name for p in (site / "data").iterdir() if DATA_FILES.fullmatch(p.name) and p.name != "datapackage.json"}


def package(site) -> dict:
    return json.loads((site / "data/datapackage.json").read_text(encoding="utf-8"))


def shipped():
    return load_dataset(ROOT / "data", dt.date.fromisoformat(REFERENCE_DATE))


# --- datapackage.json --------------------------------------------------------------------------------------


def test_the_data_package_and_every_resource_validate_with_frictionless(site):
    report = frictionless.validate(str(site / "data/datapackage.json"))
    assert report.valid, report.flatten(["type", "note"])
    assert {task.name for task in report.tasks} == published(site)   # every file checked, none left out


def test_every_published_json_and_csv_file_is_described_with_its_size_and_hash(site):
    resources = {r["path"]: r for r in package(site)["resources"]}
    assert set(resources) == published(site)
    for name, resource in resources.items():
        raw = (site / "data" / name).read_bytes()
        assert resource["bytes"] == len(raw) and resource["hash"] == "sha256:" + hashlib.sha256(raw).hexdigest()
        assert resource["title"] and resource["description"], name
        if name.endswith(".csv"):
            header = next(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
            assert [f["name"] for f in resource["schema"]["fields"]] == header, name   # a new column is described


@pytest.mark.parametrize("change", ["a cell of the wrong type", "a changed byte"])
def test_a_file_that_does_not_match_its_description_fails(site, tmp_path, change):
    data = shutil.copytree(site / "data", tmp_path / "data")
    raw = (data / "list.csv").read_bytes()
    assert b"\r\n1,1,1.," in raw                      # item 1: key, number, label
    broken = raw.replace(b"\r\n1,1,1.,", b"\r\n1,x,1.,") if change.startswith("a cell") else raw.replace(b"1.", b"2.", 1)
    (data / "list.csv").write_bytes(broken)
    if change.startswith("a cell"):                   # size and hash brought up to date: only the type is wrong
        described = json.loads((data / "datapackage.json").read_text(encoding="utf-8"))
        entry = next(r for r in described["resources"] if r["path"] == "list.csv")
        entry.update(bytes=len(broken), hash="sha256:" + hashlib.sha256(broken).hexdigest())
        (data / "datapackage.json").write_text(json.dumps(described, ensure_ascii=False), encoding="utf-8")
    report = frictionless.validate(str(data / "datapackage.json"))
    expected = "type-error" if change.startswith("a cell") else "hash-count"
    assert not report.valid and expected in {error_type for error_type, in report.flatten(["type"])}


def test_package_states_licence_source_and_version(site):
    described, dataset = package(site), shipped()
    assert described["licenses"] == [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/",
                                      "title": "Creative Commons Attribution 4.0 International"}]
    assert described["sources"] == [{"title": dataset.duty_list.title, "path": dataset.duty_list.source_url}]
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    assert described["version"] == f"{REFERENCE_DATE}+{commit[:12]}" and described["commit"] == commit
    assert described["reference_date"] == REFERENCE_DATE


def test_csv_columns_take_types_and_meanings_from_the_json_schema(site):
    fields = {r["path"]: {f["name"]: f for f in r["schema"]["fields"]} for r in package(site)["resources"]
              if "schema" in r}
    assert fields["documents.csv"]["published"] == {"name": "published", "type": "date", "description": "发布日期"}
    assert fields["documents.csv"]["year_covered"]["type"] == "integer"
    assert fields["obligations.csv"]["deadline_year_offset"]["description"] == "1：次年；0：当年"
    assert fields["list.csv"]["number"]["type"] == "integer"
    # the CSV says 是/否 where the model has true/false: the model's description would mislead
    assert fields["list.csv"]["complete"] == {"name": "complete", "type": "string"}


def test_obligations_csv_holds_the_obligations_json(site):
    raw = (site / "data/obligations.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw   # as the other CSVs: Excel and WPS read it
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    listed = json.loads((site / "data/obligations.json").read_text(encoding="utf-8"))["obligations"]
    assert [r["id"] for r in rows] == [o["id"] for o in listed]
    by_id = {r["id"]: r for r in rows}
    assert by_id["annual-report"]["deadline_month"] == "3" and by_id["annual-report"]["deadline_day"] == "31"
    assert by_id["decision-catalogue"]["deadline_month"] == ""   # no deadline in law: empty, not invented


# --- one download ------------------------------------------------------------------------------------------


def test_the_zip_holds_every_data_file_the_package_and_a_chinese_readme(site):
    with zipfile.ZipFile(site / "data/open-data.zip") as archive:
        entries = archive.infolist()
        names = [e.filename for e in entries]
        assert names == sorted(names)
        assert set(names) == published(site) | {"datapackage.json", "README.txt"}
        for entry in entries:
            assert entry.date_time == (*dt.date.fromisoformat(REFERENCE_DATE).timetuple()[:3], 0, 0, 0)   # not the clock
            assert entry.external_attr >> 16 == 0o100644
            if entry.filename != "README.txt":
                assert archive.read(entry) == (site / "data" / entry.filename).read_bytes()
        readme = archive.read("README.txt").decode("utf-8-sig")
    assert "CC BY 4.0" in readme and shipped().duty_list.source_url in readme
    for name in names:
        if name != "README.txt":
            assert re.search(rf"^{re.escape(name)}　\S", readme, re.M), name   # each file explained on its line


def test_the_zip_depends_on_nothing_but_its_files_and_date(tmp_path):
    files = {"b.csv": "\ufeffa\r\n1\r\n", "a.json": "{}\n", "README.txt": "说明"}
    first = bundle.zip_bytes(files, dt.date(2026, 4, 1))
    time.sleep(2.1)   # zip times count in 2-second steps: a build's clock would show
    again = bundle.zip_bytes(dict(reversed(files.items())), dt.date(2026, 4, 1))
    assert first == again and first != bundle.zip_bytes(files, dt.date(2026, 4, 2))


# --- JSON-LD -----------------------------------------------------------------------------------------------


def json_ld(page) -> dict:
    scripts = page.find_all("script", type="application/ld+json")
    assert len(scripts) == 1, page.path
    graph = json.loads(scripts[0]["text"])
    assert graph["@context"] == "https://schema.org"
    return {node["@type"]: node for node in graph["@graph"]}


def test_every_page_is_a_web_page_dated_like_its_data(site):
    for path in site.rglob("index.html"):
        nodes = json_ld(Page(path))
        shown = Page(path).find_all("p", cls="dl-updated")
        if shown:   # the date the page shows for its data, from the data files' history, never the build day
            assert nodes["WebPage"]["dateModified"] == re.search(r"\d{4}-\d{2}-\d{2}", shown[0]["text"])[0], path


def test_the_list_page_describes_the_list_as_legislation(page):
    nodes, dataset = json_ld(page("duties/")), shipped()
    law = nodes["Legislation"]
    assert nodes["WebPage"]["mainEntity"] == {"@id": law["@id"]}
    assert law["name"] == dataset.duty_list.title and law["url"] == dataset.duty_list.source_url
    assert law["legislationDate"] == "2023-10-13" and law["legislationJurisdiction"] == "营口市"
    # the page names no issuer (its 作者 field is only a byline): the metadata claims none either
    assert "legislationPassedBy" not in law and law["publisher"]["name"] == "营口市司法局"


def test_the_data_page_describes_a_dataset_with_every_download(page, site):
    nodes = json_ld(page("data/"))
    data = nodes["Dataset"]
    assert data["license"] == "https://creativecommons.org/licenses/by/4.0/" and data["version"].startswith(REFERENCE_DATE)
    linked = {urljoin("/data/", d["contentUrl"]).removeprefix("/") for d in data["distribution"]}
    data_files = {f"data/{name}" for name in published(site) if not name.endswith(".schema.json")}
    assert linked == data_files | {"data/datapackage.json", "data/open-data.zip"}
    assert all((site / path).is_file() for path in linked)


# --- 数据下载 -----------------------------------------------------------------------------------------------

TECHNICAL = re.compile(r"CSV|JSON|Schema|UTF|BOM|zip|SHA|Frictionless", re.I)


def test_the_download_page_says_what_each_file_is_before_any_technical_term(page, site):
    data_page = page("data/")
    rows = data_page.find_all("tr")[1:]   # after the table's header
    assert len(rows) == len({name.split(".")[0] for name in published(site) if not name.endswith(".schema.json")})
    for row in rows:
        before_links = re.split("表格|程序用数据", row["text"])[0]
        assert "。" in before_links and not TECHNICAL.search(before_links), row["text"]
    everything = data_page.find_all("p", cls="dl-download-all")[0]["text"]
    assert not TECHNICAL.search(everything.split("。")[0].split("文件名")[0]), everything


# --- the sitemap needs the site's address ------------------------------------------------------------------


def test_a_production_deploy_without_site_url_is_refused(site, tmp_path, capsys):
    web = tmp_path / "web"
    assert main(["--data", str(ROOT / "data"), "deploy", "--site", str(site), "--target", str(web),
                 "--require-site-url"]) == 1
    error = capsys.readouterr().err
    assert "site_url" in error and "data/site.yaml" in error and "sitemap.xml" in error
    assert not (web / "current").exists()


def test_make_deploy_is_the_production_deploy():
    recipe = re.search(r"^deploy:.*\n((?:\t.*\n)+)", (ROOT / "Makefile").read_text(), re.M)[1]
    assert "dutylist deploy --site site --require-site-url" in recipe


def test_status_history_schema_accepts_the_published_history(site):
    jsonschema.validate(json.loads((site / "data/status-history.json").read_text(encoding="utf-8")),
                        json.loads((site / "data/status-history.schema.json").read_text(encoding="utf-8")))
