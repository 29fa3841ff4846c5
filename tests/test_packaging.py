"""Installing the package brings what it imports; requirements.txt pins every declared dependency."""

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions

from packaging.requirements import Requirement

from helpers import ROOT


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirements() -> list[str]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]


def declared() -> set[str]:
    return {canonical(re.match(r"[\w.-]+", requirement)[0]) for requirement in requirements()}


def third_party_imports(*paths) -> set[str]:
    """Top-level modules imported by these files that are neither standard library nor this project."""
    modules = set()
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                modules.add(node.module.split(".")[0])
    return modules - set(sys.stdlib_module_names) - {"__future__", "dutylist"}


def distributions(modules: set[str]) -> set[str]:
    found = packages_distributions()
    return {canonical(found[module][0]) for module in modules}


def test_the_package_declares_what_the_site_imports():
    code = third_party_imports(*(ROOT / "dutylist").glob("*.py"), ROOT / "macros.py", *(ROOT / "hooks").glob("*.py"))
    assert {"pydantic", "yaml", "requests", "jieba", "mkdocs", "material"} <= code
    assert distributions(code) <= declared()


def test_every_declared_dependency_is_pinned_in_requirements():
    pinned = {canonical(line.split("==")[0]) for line in (ROOT / "requirements.txt").read_text().splitlines()
              if "==" in line}
    assert declared() <= pinned
    assert not [requirement for requirement in requirements() if re.search("[=>~]", requirement)]  # pins: requirements.txt


def test_installing_the_package_never_brings_mkdocs_2():
    """MkDocs 2 has no plugins, hooks or config file: the declared dependency must exclude it, and allow the pin."""
    mkdocs = next(Requirement(r) for r in requirements() if canonical(Requirement(r).name) == "mkdocs")
    pinned = next(line.split("==")[1] for line in (ROOT / "requirements.txt").read_text().splitlines()
                  if line.startswith("mkdocs=="))
    assert not mkdocs.specifier.contains("2.0") and not mkdocs.specifier.contains("2.1.3")
    assert mkdocs.specifier.contains(pinned)
