"""fix adds `import os` without libcst.codemod exactly as LibCST's AddImportsVisitor adds it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import libcst as cst
import pytest
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import AddImportsVisitor

from offramp.fixes.plainimports import add_plain_imports

BODY = "client = make()\n"
HEADS = [
    "",
    BODY,
    "import os\n" + BODY,
    "import os.path\n" + BODY,
    "import os as o\n" + BODY,
    "import sys, os\n" + BODY,
    "from os import path\n" + BODY,
    "import json; import sys\n" + BODY,
    "import json\nimport sys\n" + BODY,
    "import json\n\n\n" + BODY,
    "import json\n# a comment\n" + BODY,
    "import json\n\n# a comment\n" + BODY,
    "import json\n",
    '"""Doc."""\n' + BODY,
    '"""Doc."""\nimport json\n' + BODY,
    '"""Doc."""\n\nimport os\n' + BODY,
    "'doc' 'concatenated'\nimport json\n" + BODY,
    'f"doc"\nimport json\n' + BODY,
    "__strict__ = True\nimport json\n" + BODY,
    "__strict__ = x = True\nimport json\n" + BODY,
    "from __future__ import annotations\n" + BODY,
    "from __future__ import annotations\nimport json\n\n" + BODY,
    "# header comment\n\nimport json\n" + BODY,
    "#!/usr/bin/env python\n" + BODY,
    "import json\r\nimport sys\r\n" + BODY.replace("\n", "\r\n"),
    "import json\nif x:\n    import os\n" + BODY,
    "from . import sibling\nimport json\n" + BODY,
    "def f():\n    import os\n",
    "try:\n    import os\nexcept ImportError:\n    pass\n",
]
ADDED = [["os"], ["os", "json"], ["sys", "os", "os"], ["os.path"], ["openai"]]


def _visitor(code: str, modules: list) -> str:
    ctx = CodemodContext()
    for name in modules:
        AddImportsVisitor.add_needed_import(ctx, name, None)
    return AddImportsVisitor(ctx).transform_module(cst.parse_module(code)).code


@pytest.mark.parametrize("modules", ADDED, ids="+".join)
@pytest.mark.parametrize("code", HEADS)
def test_plain_imports_are_added_as_the_visitor_adds_them(code: str, modules: list) -> None:
    expected = _visitor(code, modules)
    if code.startswith("import os.path\n") and "os" in modules:
        # (but for this: `import os.path` binds `os`, and the visitor's second `import os` was one too many)
        expected = _visitor(code, [m for m in modules if m != "os"])
    assert add_plain_imports(cst.parse_module(code), modules).code == expected


@pytest.mark.parametrize("ruff", [False, True])
def test_fix_adds_no_import_os_beside_import_os_path(tmp_path: Path, ruff: bool) -> None:
    """`import os.path` binds `os`: fix's `os.environ["DASHSCOPE_API_KEY"]` needs no `import os` of its own
    (it added one, by plainimports.py or, in a Ruff project, by importplace.py)."""
    (tmp_path / "pyproject.toml").write_text("[tool.ruff]\nline-length = 120\n" if ruff else "")
    (tmp_path / "app.py").write_text(
        "import os.path\n\nfrom openai import OpenAI\n\nclient = OpenAI()\nprint(os.path.sep)\n"
        'client.chat.completions.create(model="gpt-4o", messages=[])\n'
    )
    subprocess.run([sys.executable, "-m", "offramp", "fix", "--to", "qwen", "app.py"], cwd=tmp_path, check=True)
    text = (tmp_path / "app.py").read_text()
    assert 'os.environ["DASHSCOPE_API_KEY"]' in text and text.startswith("import os.path\n\nfrom openai"), text
    assert "import os\n" not in text, text


def test_fix_adding_import_os_does_not_load_libcst_codemod(tmp_path: Path) -> None:
    # (libcst.codemod loads libcst.matchers: 0.2 CPU-s and 7 MB of every such fix)
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "app.py").write_text(
        '"""App."""\nimport openai\n\nclient = openai.AzureOpenAI(api_key="x", azure_endpoint="https://r.openai.azure.com")\n'
    )
    probe = (
        "import sys\nfrom offramp.entry import main\n"
        "sys.argv = ['offramp', 'fix', '--to', 'qwen', '--diff', 'app.py']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('codemod' if 'libcst.codemod' in sys.modules else 'none')\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True).stdout
    assert "+import os" in out
    assert out.rstrip().endswith("none")
