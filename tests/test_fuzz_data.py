"""Whatever an editor does to a data file, `check` answers with errors or success, never a traceback."""

import datetime as dt
import shutil

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dutylist.dataset import load_dataset
from dutylist.problems import DataError
from helpers import REFERENCE_DATE, ROOT

FILES = ["list.yaml", "site.yaml", "documents.yaml", "obligations.yaml", "progress/2023.yaml"]
scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 3000), st.text(max_size=20), st.dates(),
                    st.sampled_from(["{{ x }}", "&a", "*a", "!!python/object:os.system", "2023-02-30", "- x", ": :", "\u202e", "\u200b",
                                     "[" * 40, "https://evil.example\\@www.yingkou.gov.cn/", "=cmd|x", "\x00"]))


def _paths(node, path=()):
    yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _paths(value, (*path, i))


def _mutate(node, path, action, value):
    if not path:
        return value
    parent = node
    for step in path[:-1]:
        parent = parent[step]
    if action == "delete":
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return node


@st.composite
def mutated_text(draw):
    file = draw(st.sampled_from(FILES))
    text = (ROOT / "data" / file).read_text(encoding="utf-8")
    how = draw(st.sampled_from(["structure", "truncate", "insert"]))
    if how == "truncate":
        return file, text[:draw(st.integers(0, len(text)))]
    if how == "insert":
        at = draw(st.integers(0, len(text)))
        return file, text[:at] + draw(st.text(max_size=30)) + text[at:]
    data = yaml.safe_load(text)
    path = draw(st.sampled_from(list(_paths(data))))
    action = draw(st.sampled_from(["delete", "replace"])) if path else "replace"
    value = draw(st.one_of(scalars, st.lists(scalars, max_size=3), st.dictionaries(st.text(max_size=5), scalars, max_size=2)))
    return file, yaml.safe_dump(_mutate(data, path, action, value), allow_unicode=True)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mutated_text())
def test_check_never_crashes(tmp_path_factory, change):
    file, text = change
    data = tmp_path_factory.mktemp("data")
    shutil.copytree(ROOT / "data", data, dirs_exist_ok=True)
    (data / file).write_text(text, encoding="utf-8")
    try:
        load_dataset(data, dt.date.fromisoformat(REFERENCE_DATE))
    except DataError as error:
        assert error.problems and all(p.file.startswith("data/") and p.line >= 1 for p in error.problems)
