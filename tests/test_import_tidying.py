"""The imports a fix adds and removes leave the rest of the file's imports and comments as they were.

Found on run-llama/rags (2026-12-06): a file with two `from typing import ...` lines had the first one
sorted because the last one was sorted and a name was added to a third import; and removing
`from llama_index.llms import OpenAI` took the section comments above it (`## Uncomment the LLM you
want to use`) with it. Ruff's own F401 fix deletes only the import's line.
"""

from __future__ import annotations

import libcst as cst
import pytest

from offramp.fixes.importplace import sort_added_names
from offramp.fixes.unusedimports import remove_imports


def test_only_the_import_that_gained_a_name_is_sorted() -> None:
    typing = "from typing import List, cast, Optional\nfrom typing import Generator\n"
    old = cst.parse_module(typing + "from openai import AsyncOpenAI\n")
    new = cst.parse_module(typing + "from openai import OpenAI, AsyncOpenAI\n")
    assert sort_added_names(old, new).code == typing + "from openai import AsyncOpenAI, OpenAI\n"


TOP = """import os

### DEFINE THE LLM ###
## Uncomment the LLM you want to use

## OpenAI
from llama_index.llms import OpenAI

# set the key
os.environ["X"] = "1"
"""

NESTED = """def build():
    # the lazy import of the client class
    from llama_index.llms import OpenAI
    return make("OpenAI")
"""

LAST = """import os

# the client class
from llama_index.llms import OpenAI
"""


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (TOP, TOP.replace("from llama_index.llms import OpenAI\n\n", "\n")),
        # the name still appears in the file (a string): the visitor analyses the whole module
        (NESTED, NESTED.replace("    from llama_index.llms import OpenAI\n", "")),
        (LAST, LAST.replace("from llama_index.llms import OpenAI\n", "")),
    ],
    ids=["top", "nested", "last"],
)
def test_comments_above_a_removed_import_stay(source: str, expected: str) -> None:
    new, code = remove_imports(cst.parse_module(source), [("llama_index.llms", "OpenAI", None)])
    assert (code or new.code) == expected


def test_an_import_without_comments_goes_with_its_blank_lines() -> None:
    source = "import os\n\nfrom llama_index.llms import OpenAI\n\nx = os.sep\n"
    new, code = remove_imports(cst.parse_module(source), [("llama_index.llms", "OpenAI", None)])
    assert (code or new.code) == "import os\n\nx = os.sep\n"
