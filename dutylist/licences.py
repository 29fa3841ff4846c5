"""The project's two licences, stated once: the 说明 page and the open-data metadata read them from here.

Each is a Frictionless Data Package `licenses` entry (name = SPDX id, path, title), so datapackage.json can list
them as they are. The official texts themselves (the list, the cited and archived documents) are government
documents: not the editors' work, and licensed by neither.
"""

CODE = {"name": "MIT", "path": "https://opensource.org/license/mit", "title": "MIT License", "file": "LICENSE"}

DATA = {"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/",
        "title": "Creative Commons Attribution 4.0 International", "file": "LICENSE-DATA",
        "title_zh": "知识共享署名 4.0 国际许可协议（CC BY 4.0）"}

# What DATA does not cover, for metadata that carries a sentence (the 说明 page says the same at more length)
OFFICIAL_TEXTS = "清单原文和本站引用、存档的文件是各发布机关的公文，不是编者的作品，不在本站数据许可范围内。"
