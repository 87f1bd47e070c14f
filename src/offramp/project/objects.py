"""What a value may be while project/flow.py follows it across modules.

Besides the terminal Sources (project/sources.py: a literal, an environment read, a configuration
value, a parameter, Unknown), a value in flight may be an object: a module, a name outside the
project, a class or an instance of one, a function, an SDK client or an HTTP session, a loaded
configuration document or an open file, a dict or sequence expression. Objects stay inside the
project stage; `Flow.sources()` turns what they hold into Sources.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Tuple, Union

from offramp.project.index import Expr
from offramp.project.sources import Source


@dataclass(frozen=True)
class Ctx:
    module: str
    scope: str  # "" or a function key ("f", "Cls.method")


@dataclass(frozen=True)
class ModRef:
    name: str


@dataclass(frozen=True)
class ExtRef:
    """A name outside the project (`openai.OpenAI`, `json.load`, a builtin)."""

    qualified: str


@dataclass(frozen=True)
class ClassRef:
    module: str
    name: str


@dataclass(frozen=True)
class Instance:
    module: str
    name: str
    call: Optional[Tuple[Ctx, Expr]] = None  # the construction (its keywords override defaults)


@dataclass(frozen=True)
class FuncRef:
    module: str
    key: str


@dataclass(frozen=True)
class Client:
    """An SDK client object; `call` is its construction (None: known only as `self` of a subclass)."""

    qualified: str
    call: Optional[Tuple[Ctx, Expr]] = None
    subclass: str = ""


@dataclass(frozen=True)
class Session:
    """An HTTP session object (requests.Session, httpx.Client, aiohttp.ClientSession)."""

    qualified: str


@dataclass(frozen=True)
class ConfigDoc:
    path: str  # display path of the file
    keys: Tuple[str, ...]
    reader: str


@dataclass(frozen=True)
class FileHandle:
    path: str  # display path
    reader: str


@dataclass(frozen=True)
class DictVal:
    ctx: Ctx
    expr: Expr


@dataclass(frozen=True)
class SeqVal:
    ctx: Ctx
    expr: Expr


Value = Union[
    Source, ModRef, ExtRef, ClassRef, Instance, FuncRef, Client, Session, ConfigDoc, FileHandle, DictVal, SeqVal
]
