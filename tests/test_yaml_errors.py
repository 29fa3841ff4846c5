"""YAML mistakes an editor makes, each named in Chinese at the line to change (libyaml's own point is sometimes a
line later, or at the end of the file), and the one-line { } mapping that splits official text at a comma."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest

from dutylist.problems import DataError
from dutylist.source import read_yaml
from helpers import REFERENCE_DATE, ROOT

ITEM_5 = ("    - number: 5\n      short: 法治督察\n      text: 严格落实中共中央办公厅、国务院办公厅印发的《法治政府建设与责任落实督察工作规定》，"
          "加强法治督察，确保党中央、国务院有关决策部署和省委、省政府工作要求落到实处。\n")

# (class, file text, line to change, words the message must contain)
CASES = [
    ("tab-indent", "items:\n  - number: 1\n\ttext: 甲\n", 3, "Tab"),
    ("tab-before-value", "jurisdiction:\n\t营口市\n", 2, "Tab"),
    ("tab-in-block-text", "text: |\n  第一行\n\t第二行\n", 3, "Tab"),
    ("indent-too-deep", "title: 清单\n  issuer: 某局\n", 2, "多缩进"),
    ("indent-between-levels", "parts:\n    - label: 一、\n  heading: 原则\n", 3, "对不齐"),
    ("missing-dash", "items:\n  - number: 1\n    text: 甲\n  number: 2\n  text: 乙\n", 4, "“- ”"),
    ("unclosed-double-quote", 'title: "营口市清单\nissuer: 某局\npublisher: 某局\n', 1, "引号没有闭合"),
    ("unclosed-single-quote", "title: 清单\nissuer: '某局\npublisher: 某局\n", 2, "引号没有闭合"),
    ("colon-in-plain-text", "title: 清单\ntext: 主要任务: 依法行政\n", 2, "半角冒号加空格"),
    ("full-width-colon", "title: 清单\nissuer：某局\npublisher: 某局\n", 2, "全角冒号"),
    ("missing-colon", "title: 清单\nissuer 某局\npublisher: 某局\n", 2, "缺少冒号"),
    ("text-after-quote", 'title: "营口市" 清单\n', 1, "后面还有文字"),
    ("value-starts-with-at", "title: @营口\n", 1, "“@”"),
    ("dash-after-colon", "title: - 清单\n", 1, "“- ”不能写在冒号之后"),
    ("bar-then-text", "text: | 第一行\n", 1, "“|”"),
    ("second-document", "title: 清单\n---\ntitle: 又一份\n", 2, "“---”"),
    ("unknown-escape", 'title: "营口\\q"\n', 1, "反斜杠"),
    ("unclosed-brace", "items:\n  - {number: 1, text: 甲\n  - {number: 2, text: 乙}\n", 2, "花括号"),
    ("colon-in-brace", "items:\n  - {number: 1, text: 甲}\n  - {number: 2, text: 任务: 乙}\n", 3, "花括号"),
    ("unclosed-bracket", "fulfils: [annual-report\nnote: 甲\n", 1, "方括号"),
]


@pytest.mark.parametrize("name, text, line, words", CASES, ids=[c[0] for c in CASES])
def test_each_yaml_mistake_is_named_in_chinese_at_its_line(tmp_path, name, text, line, words):
    path = tmp_path / "list.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as raised:
        read_yaml(path, "data/list.yaml")
    (problem,) = raised.value.problems
    assert (problem.file, problem.line) == ("data/list.yaml", line), str(problem)
    assert problem.message.startswith("YAML 格式错误：") and words in str(problem), str(problem)
    assert not re.search(r"[A-Za-z]{4,}", problem.message.replace("YAML", "").replace("Tab", "")), str(problem)


def check(data) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dutylist", "--data", str(data), "check"], capture_output=True,
                          text=True, env={"REFERENCE_DATE": REFERENCE_DATE, "PATH": ""})


def test_a_comma_in_a_one_line_mapping_is_explained_not_deleted(tmp_path):
    """Text copied from a portal with half-width commas, in the one-line { } form: YAML splits it at each comma
    into fields named after pieces of the official text. The message says so, once, at the line, and never
    advises deleting them."""
    data = shutil.copytree(ROOT / "data", tmp_path / "data")
    duty_list = data / "list.yaml"
    text = duty_list.read_text(encoding="utf-8")
    old = ITEM_5
    assert old in text
    copied = ("    - {number: 5, short: 法治督察, text: 严格落实中共中央办公厅、国务院办公厅印发的《法治政府建设与责任落实督察工作规定》,"
              "加强法治督察,确保党中央、国务院有关决策部署和省委、省政府工作要求落到实处。}\n")
    duty_list.write_text(text.replace(old, copied), encoding="utf-8")
    line = text[:text.index(old)].count("\n") + 1
    result = check(data)
    lines = result.stderr.splitlines()
    assert result.returncode == 1 and len(lines) == 2, result.stderr
    assert lines[0].startswith(f"data/list.yaml:{line}:"), lines[0]
    assert "半角逗号" in lines[0] and "「加强法治督察」" in lines[0] and "引号" in lines[0], lines[0]
    assert "未知字段" not in result.stderr and "请删除" not in result.stderr, result.stderr

    duty_list.write_text(text.replace(old, copied.replace("text: 严格", 'text: "严格').replace("实处。}", '实处。"}')),
                         encoding="utf-8")
    assert check(data).returncode == 0   # the fix the message gives works


def test_a_misspelt_field_in_a_one_line_mapping_is_still_a_misspelt_field(tmp_path):
    data = shutil.copytree(ROOT / "data", tmp_path / "data")
    duty_list = data / "list.yaml"
    text = duty_list.read_text(encoding="utf-8")
    duty_list.write_text(text.replace(ITEM_5, "    - {number: 5, shrot: 法治督察, text: 严格落实督察工作规定}\n"), encoding="utf-8")
    result = check(data)
    assert "未知字段" in result.stderr and "半角逗号" not in result.stderr, result.stderr


def test_a_misspelt_required_field_is_one_message_naming_the_field_it_should_be(tmp_path):
    data = shutil.copytree(ROOT / "data", tmp_path / "data")
    duty_list = data / "list.yaml"
    text = duty_list.read_text(encoding="utf-8")
    at = text.index("    heading:")
    duty_list.write_text(text[:at] + "    heaidng:" + text[at + len("    heading:"):], encoding="utf-8")
    result = check(data)
    lines = result.stderr.splitlines()
    assert result.returncode == 1 and len(lines) == 2, result.stderr   # one problem, then the count
    assert lines[0].startswith(f"data/list.yaml:{text[:at].count(chr(10)) + 1}:") and "「heading」" in lines[0], lines[0]
    assert "缺少必填字段" not in result.stderr and "改为 heading" in lines[0]
