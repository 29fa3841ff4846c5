"""Every error a person can meet from `dutylist` or `make` is said in Chinese, in a line or two, with what to do:
no Python traceback, no argparse usage, no English error line (make's own closing line aside)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dutylist import cli
from helpers import REFERENCE_DATE, ROOT, copy_project

CHINESE = re.compile(r"[\u4e00-\u9fff]")
MAKE_CLOSING = re.compile(r"^make(\[\d+\])?: \*\*\* \[.*\] Error \d+$")   # make's own last line: the recipe failed


def assert_chinese_only(output: str) -> None:
    lines = [line for line in output.splitlines() if line.strip() and not MAKE_CLOSING.match(line)]
    assert lines and CHINESE.search(lines[-1]), output
    for bad in ("Traceback", "usage:", "error:", "Error:", "Aborted", "invalid", "argument"):
        assert bad not in "\n".join(lines), output


def dutylist(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dutylist", *args], cwd=cwd, capture_output=True, text=True,
                          env={"REFERENCE_DATE": REFERENCE_DATE, "PATH": "/usr/bin:/bin"})


@pytest.mark.parametrize("args", [
    [], ["chek"], ["new-year"], ["new-year", "abc"], ["new-year", "2027", "2028"], ["new-year", "2099"], ["--data"],
    ["--data", "nowhere", "check"], ["check", "--bogus"], ["deploy", "--keep", "x"], ["deploy", "--force=1"],
    ["deploy"], ["rollback"], ["render"], ["links", "--timeout", "soon"],
], ids=lambda args: " ".join(args) or "nothing")
def test_dutylist_with_bad_arguments_answers_in_chinese(args):
    result = dutylist(*args)
    assert result.returncode != 0
    assert not result.stdout.strip(), result.stdout
    assert_chinese_only(result.stderr)


def test_an_unknown_command_is_named_with_the_commands_there_are():
    result = dutylist("chek")
    assert "没有“chek”这个命令" in result.stderr and "check、new-year" in result.stderr, result.stderr


def test_a_year_that_is_not_a_number_is_named_as_the_year():
    result = dutylist("new-year", "abc")
    assert result.stderr.startswith("dutylist new-year：年度 应为整数"), result.stderr


def test_help_is_in_chinese():
    result = dutylist("new-year", "--help")
    assert result.returncode == 0 and result.stdout.startswith("用法：dutylist new-year"), result.stdout
    assert "usage" not in result.stdout and "show this help" not in result.stdout


def test_a_fault_of_the_program_is_one_chinese_line(monkeypatch, capsys):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")
    monkeypatch.setattr(cli, "load_dataset", broken)
    monkeypatch.delenv("DUTYLIST_DEBUG", raising=False)
    assert cli.main(["--data", str(ROOT / "data"), "check"]) == 70
    err = capsys.readouterr().err
    assert err.startswith("程序出错：RuntimeError: boom") and "Traceback" not in err and "维护者" in err, err


def test_a_file_that_cannot_be_written_is_named(tmp_path, monkeypatch, capsys):
    data = shutil.copytree(ROOT / "data", tmp_path / "data")
    monkeypatch.setenv("REFERENCE_DATE", "2026-12-05")   # December: the coming year may be prepared

    def refused(path, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(path))
    monkeypatch.setattr(Path, "write_text", refused)
    assert cli.main(["--data", str(data), "new-year", "2027"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"无法读写文件 {data / 'progress/2027.yaml'}") and "权限" in err, err


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """The project as an editor has it, using this test run's environment (make would otherwise install one)."""
    project = copy_project(tmp_path_factory.mktemp("make") / "project")
    for name in ("Makefile", "requirements.txt", "pyproject.toml"):
        (project / name).write_bytes((ROOT / name).read_bytes())
    return project


def make(project: Path, *args: str) -> subprocess.CompletedProcess:
    venv = Path(sys.executable).parent.parent
    return subprocess.run(["make", "-s", *args, f"VENV={venv}", "-o", f"{venv}/.runtime", f"REFERENCE_DATE={REFERENCE_DATE}"],
                          cwd=project, capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize("args", [["sever"], ["serve", "SERVE_ADDR=8001"], ["serve", "SERVE_ADDR=127.0.0.1:99999"]],
                         ids=" ".join)
def test_make_with_bad_arguments_answers_in_chinese(project, args):
    result = make(project, *args)
    assert result.returncode != 0
    assert_chinese_only(result.stdout + result.stderr)


def test_make_check_and_build_on_broken_data_end_in_chinese(project):
    duty_list = project / "data/list.yaml"
    good = duty_list.read_text(encoding="utf-8")
    duty_list.write_text(good.replace("number: 5\n", "number: 五\n", 1), encoding="utf-8")
    try:
        for target in ("check", "build"):
            result = make(project, target)
            assert result.returncode != 0
            assert "data/list.yaml:" in result.stderr and "应为整数" in result.stderr, result.stderr
            assert_chinese_only(result.stderr)
    finally:
        duty_list.write_text(good, encoding="utf-8")
