"""`also_imported`: the plain class joins the import that binds the Azure class where the file still
names it (fixes/sdkclients.py), written as the import's own layout has it."""

from __future__ import annotations

import libcst as cst
import pytest

from offramp.fixes.planedits import also_imported


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("from openai import AzureOpenAI\n", "from openai import AzureOpenAI, OpenAI\n"),
        ("from openai import (AzureOpenAI)\n", "from openai import (AzureOpenAI, OpenAI)\n"),
        (
            "from openai import (\n    AzureOpenAI,\n)\n",
            "from openai import (\n    AzureOpenAI,\n    OpenAI,\n)\n",
        ),
        (
            "from openai import (\n    AsyncAzureOpenAI,\n    AzureOpenAI,\n)\n",
            "from openai import (\n    AsyncAzureOpenAI,\n    AzureOpenAI,\n    OpenAI,\n)\n",
        ),
        ("from openai import AzureOpenAI, OpenAI\n", "from openai import AzureOpenAI, OpenAI\n"),
    ],
)
def test_the_plain_class_joins_the_import_in_its_layout(before: str, after: str) -> None:
    stmt = cst.parse_statement(before)
    assert isinstance(stmt, cst.SimpleStatementLine)
    new = stmt.with_changes(body=[also_imported("OpenAI")(stmt.body[0])])
    assert cst.Module(body=[new]).code == after
