"""One LibCST traversal per file that records everything the resolver needs.

The traversal only *collects*: assignments (name -> value), attributes set on `self`,
function returns, candidate calls, string literals, environment access, module attribute
assignments. Deciding what holds a client or which literal feeds a `model=` needs the whole
file (a client set in `__init__` is used in a method defined above it), so that happens
afterwards in resolve.py, while the metadata is still attached.

Scope and qualified-name metadata are requested only for files that import the SDK; other
files that passed the byte prefilter get the light collector (positions only) because all
they can hold is URLs, keys and environment reads.
"""

from __future__ import annotations

from typing import Callable, Dict, List, Mapping, Optional, Set, Tuple

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider, ScopeProvider

from offramp.analysis.facts import Analysis, EnvAccess, KeyLiteral, UrlLiteral
from offramp.analysis.keyuses import KeyUses
from offramp.analysis.positions import Position, node_positions
from offramp.analysis.sites import ENV_READERS, ENV_SETDEFAULT, OsNames, env_subscript, holds_key, url_site
from offramp.analysis.values import MATCH_METHODS, dotted_name, string_value, template_value
from offramp.catalog import SdkSurface
from offramp.fastvisit import does_nothing
from offramp.types import Span


class _Collector(cst.CSTVisitor):
    """Strings and environment access: what every file that passed the prefilter needs.

    The two concrete collectors below are siblings on purpose: LibCST caches a class's
    inherited metadata dependencies on the class itself, so a subclass of a collector that
    ran first would inherit the parent's (smaller) cached set.
    """

    def __init__(
        self, sdk: SdkSurface, provider_hosts: Tuple[str, ...], analysis: Analysis, wrapper: MetadataWrapper
    ) -> None:
        super().__init__()
        self.sdk = sdk
        self.provider_hosts = provider_hosts
        self.a = analysis
        self.wrapper = wrapper
        self.positions: Optional[Mapping[cst.CSTNode, Position]] = None
        self.skip_strings: Set[int] = set()
        self.stmt_stack: List[cst.CSTNode] = []
        self.os = OsNames()  # (analysis/sites.py: the os module's names, decided as the stdlib walk does)
        self.claimed_strings: Set[int] = set()
        self.in_raise = 0
        self._dispatch: Dict[type, Tuple[Optional[Callable], Optional[Callable], bool]] = {}

    def visit_DictElement(self, node: cst.DictElement) -> None:
        """`"data_sources": [...]`, Azure OpenAI On Your Data (checks/ondata.py); the quotes stripped by hand, as
        every dict entry of every file comes here."""
        key = node.key
        if isinstance(key, cst.SimpleString) and key.value[1:-1] in self.sdk.azure_only_body:
            self.a.on_your_data.append(self.span(key))

    def visit_Raise(self, node: cst.Raise) -> None:
        self.in_raise += 1

    def leave_Raise(self, original_node: cst.Raise) -> None:
        self.in_raise -= 1

    # -- helpers -----------------------------------------------------------------------
    def span(self, node: cst.CSTNode) -> Span:
        """Positions come from one whole-module pass, run on the first request rather than up front.

        About 40% of the files that import the SDK hold nothing offramp reports (they use types,
        or receive a client from elsewhere); they never pay for that pass. It is positions.py's,
        not LibCST's PositionProvider (which cost about twice the parse).
        """
        if self.positions is None:
            self.positions = node_positions(self.wrapper.module)
        r = self.positions.get(node)
        if r is None:  # a node type positions.py does not record (none is reported today)
            c = self.wrapper.resolve(PositionProvider)[node]
            r = (c.start.line, c.start.column, c.end.line, c.end.column)
        return Span(r[0], r[1] + 1, r[2], r[3] + 1)

    def note_statement(self, node: cst.CSTNode) -> None:
        if self.stmt_stack:
            self.a.statement_of[id(node)] = self.stmt_stack[-1]

    # -- statements --------------------------------------------------------------------
    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        self.stmt_stack.append(node)

    def leave_SimpleStatementLine(self, original_node: cst.SimpleStatementLine) -> None:
        self.stmt_stack.pop()

    # LibCST's dispatch formats and looks up `visit_<Type>` / `leave_<Type>` for every node, and
    # `visit_<Type>_<field>` around every field of every node (none defined here): per node type
    # once is enough (the collector's walk: about a tenth of `check` on a large SDK module).
    def _methods(self, kind: type) -> Tuple[Optional[Callable], Optional[Callable], bool]:
        entry = self._dispatch.get(kind)
        if entry is None:
            name = kind.__name__
            entry = self._dispatch[kind] = (
                getattr(self, f"visit_{name}", None),
                getattr(self, f"leave_{name}", None),
                issubclass(kind, cst.BaseCompoundStatement),
            )
        return entry

    def fast_callbacks(self, kind: type) -> Tuple[Optional[Callable], Optional[Callable]]:
        """`on_visit` and `on_leave` for nodes of this type, for fastvisit's walk: the same calls,
        without the two lookups per node or LibCST's empty `visit_<Type>` (most nodes call nothing)."""
        visit, leave, compound = self._methods(kind)
        visit = None if visit is None or does_nothing(visit) else visit
        leave = None if leave is None or does_nothing(leave) else leave
        if not compound:
            return visit, leave

        def enter(node: cst.CSTNode) -> bool:
            self.stmt_stack.append(node)
            return visit is None or visit(node) is not False

        def exit(node: cst.CSTNode) -> None:
            if leave is not None:
                leave(node)
            self.stmt_stack.pop()

        return enter, exit

    def on_visit(self, node: cst.CSTNode) -> bool:
        visit, _, compound = self._methods(type(node))
        if compound:
            self.stmt_stack.append(node)
        return visit is None or visit(node) is not False

    def on_leave(self, original_node: cst.CSTNode) -> None:
        _, leave, compound = self._methods(type(original_node))
        if leave is not None:
            leave(original_node)
        if compound:
            self.stmt_stack.pop()

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        pass

    def on_leave_attribute(self, original_node: cst.CSTNode, attribute: str) -> None:
        pass

    def visit_Expr(self, node: cst.Expr) -> None:
        # A bare string statement is a docstring or a comment in disguise: not code.
        if isinstance(node.value, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
            self.skip_strings.add(id(node.value))
            if isinstance(node.value, cst.ConcatenatedString):
                stack: List[cst.BaseExpression] = [node.value]
                while stack:
                    n = stack.pop()
                    self.skip_strings.add(id(n))
                    if isinstance(n, cst.ConcatenatedString):
                        stack.extend([n.left, n.right])

    # -- literals a URL is only compared with -----------------------------------------------
    def _skip_match_operand(self, expr: cst.BaseExpression) -> None:
        """`base == "https://api.openai.com/v1"`, `url.startswith(("https://api.openai.com", ...))`:
        the program asks whether a URL is OpenAI's. Rewriting the literal would change that
        answer (a default that is still OpenAI's would no longer be recognised), and no request
        goes to it, so it is not an OpenAI URL in use."""
        stack: List[cst.BaseExpression] = [expr]
        while stack:
            n = stack.pop()
            if isinstance(n, (cst.SimpleString, cst.FormattedString)):
                self.skip_strings.add(id(n))
            elif isinstance(n, cst.ConcatenatedString):
                self.skip_strings.add(id(n))
                stack.extend([n.left, n.right])
            elif isinstance(n, (cst.Tuple, cst.List, cst.Set)):
                stack.extend(el.value for el in n.elements)

    def visit_Comparison(self, node: cst.Comparison) -> None:
        self._skip_match_operand(node.left)
        for target in node.comparisons:
            self._skip_match_operand(target.comparator)

    # -- imports of os -----------------------------------------------------------------
    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            self.os.imported(dotted_name(alias.name) or "", _asname(alias))

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if node.module is not None and not isinstance(node.names, cst.ImportStar):
            for alias in node.names:
                self.os.imported_from(dotted_name(node.module) or "", dotted_name(alias.name) or "", _asname(alias))

    def _os_path(self, expr: cst.BaseExpression) -> Optional[str]:
        """`os.environ.get` -> 'environ.get' when `os` (or an alias / from-import) is really the os module."""
        return self.os.path(dotted_name(expr))

    # -- environment ---------------------------------------------------------------------
    def _env(
        self,
        name_node: cst.BaseExpression,
        write: bool,
        default: Optional[cst.BaseExpression],
        reader: Optional[cst.Call] = None,
    ) -> None:
        name = string_value(name_node)
        if name is None:
            return
        role = self.sdk.env_role(name)
        if role is None:
            return
        self.claimed_strings.add(id(name_node))
        self.note_statement(name_node)
        self.a.env.append(
            EnvAccess(
                node=name_node,
                span=self.span(name_node),
                name=name,
                role=role,
                write=write,
                default=default,
                reader=reader,
            )
        )

    def visit_Call(self, node: cst.Call) -> None:
        if any(arg.keyword is not None for arg in node.args) or (node.args and _class_like(node.func)):
            self.a.keyword_calls.append(node)
            if isinstance(node.func, cst.Name) and node.func.value == "dict":  # `dict(data_sources=[...])`
                for arg in node.args:
                    if arg.keyword is not None and arg.keyword.value in self.sdk.azure_only_body:
                        self.a.on_your_data.append(self.span(arg.keyword))
        if isinstance(node.func, cst.Attribute) and node.func.attr.value in MATCH_METHODS:
            for arg in node.args:
                if arg.keyword is None and not arg.star:
                    self._skip_match_operand(arg.value)
        for arg in node.args:  # `Field(description="... https://api.openai.com/v1 ...")`: documentation
            if arg.keyword is not None and arg.keyword.value in self.sdk.doc_arguments:
                self._skip_match_operand(arg.value)
        path = self._os_path(node.func)
        if path in ENV_READERS and node.args and node.args[0].keyword is None:
            write = path == ENV_SETDEFAULT
            self._env(node.args[0].value, write=write, default=_default_arg(node), reader=None if write else node)
            return
        # Other readers: Secret.from_env_var("OPENAI_API_KEY"), get_from_dict_or_env(v, "k", "OPENAI_API_KEY"),
        # and a mapping's `st.secrets.get("OPENAI_API_KEY")`, with its reader (None when unset: fixes/keyreads.py)
        getter = isinstance(node.func, cst.Attribute) and node.func.attr.value == "get"
        for i, arg in enumerate(node.args):
            if arg.keyword is None and not arg.star and string_value(arg.value) in self.sdk.env_roles:
                if getter and i == 0:
                    self._env(arg.value, write=False, default=_default_arg(node), reader=node)
                else:
                    self._env(arg.value, write=False, default=None)

    def visit_Subscript(self, node: cst.Subscript) -> None:
        if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
            return
        idx = node.slice[0].slice.value
        if id(idx) in self.claimed_strings:
            return
        if env_subscript(self._os_path(node.value), string_value(idx), self.sdk):
            self._env(idx, write=False, default=None)

    def visit_Assign(self, node: cst.Assign) -> None:
        for t in node.targets:
            tgt = t.target
            if isinstance(tgt, cst.Subscript) and len(tgt.slice) == 1 and isinstance(tgt.slice[0].slice, cst.Index):
                idx = tgt.slice[0].slice.value
                if env_subscript(self._os_path(tgt.value), string_value(idx), self.sdk):
                    # Mark the write; visit_Subscript will see the same literal as a read, so skip it there.
                    self._env(idx, write=True, default=None)

    # -- literals ----------------------------------------------------------------------
    def _string(self, node: cst.BaseExpression, text: Optional[str]) -> None:
        if text is None:
            return
        if holds_key(text):
            self.note_statement(node)
            self.a.keys.append(KeyLiteral(node=node, span=self.span(node)))
        if id(node) in self.skip_strings or self.in_raise:
            return  # (a docstring, an operand a URL is compared with; a URL in an exception message is documentation)
        found = url_site(text, self.sdk, self.provider_hosts)
        if found is not None:
            self.note_statement(node)
            plain = isinstance(node, cst.SimpleString)
            self.a.urls.append(UrlLiteral(node, self.span(node), found[0], found[1], plain))

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        self._string(node, string_value(node))

    def visit_FormattedString(self, node: cst.FormattedString) -> None:
        self._string(node, template_value(node))


class LightCollector(_Collector):
    """Strings and environment access only; no scope analysis."""

    METADATA_DEPENDENCIES = ()


class FullCollector(_Collector):
    """Adds what SDK resolution needs: scopes, qualified names and the raw binding maps."""

    METADATA_DEPENDENCIES = (ScopeProvider,)

    def __init__(
        self, sdk: SdkSurface, provider_hosts: Tuple[str, ...], analysis: Analysis, wrapper: MetadataWrapper
    ) -> None:
        super().__init__(sdk, provider_hosts, analysis, wrapper)
        self.frames: List[cst.CSTNode] = []
        # Name node (assignment target) -> assigned expression.
        self.assign_values: Dict[int, cst.BaseExpression] = {}
        self.annotations: Dict[int, cst.BaseExpression] = {}
        # (id(class), attr) -> values assigned to self.attr / the class attribute
        self.self_attrs: Dict[Tuple[int, str], List[cst.BaseExpression]] = {}
        self.self_annots: Dict[Tuple[int, str], cst.BaseExpression] = {}
        self.class_methods: Dict[Tuple[int, str], cst.FunctionDef] = {}
        self.returns: Dict[int, List[cst.BaseExpression]] = {}
        self.func_class: Dict[int, Optional[cst.ClassDef]] = {}
        self.self_names: Dict[int, str] = {}  # id(function) -> name of its first parameter when a method
        self.param_owner: Dict[int, cst.FunctionDef] = {}  # id(parameter) -> its function
        # `name["key"] = value` writes; keyed after traversal by the assignment that bound `name`
        self.item_writes: List[Tuple[cst.Name, str, cst.BaseExpression]] = []
        self.item_sets: Dict[int, Dict[str, List[cst.BaseExpression]]] = {}
        # candidate calls with their context (class, function)
        self.calls: List[Tuple[cst.Call, Optional[cst.ClassDef], Optional[cst.FunctionDef]]] = []
        self.attr_assigns: List[Tuple[cst.Assign, cst.Attribute]] = []
        self.dicts: List[Tuple[cst.Dict, Optional[cst.ClassDef]]] = []
        self.module_classes: Dict[str, cst.ClassDef] = {}
        self.key_uses = KeyUses(sdk.model_lookups, sdk.model_lookup_words)  # model ids also compared or looked up
        self.context_of: Dict[int, Tuple[Optional[cst.ClassDef], Optional[cst.FunctionDef]]] = {}

    # -- structure -----------------------------------------------------------------------
    # `frames` holds the enclosing classes and functions, innermost last.
    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        if not self.frames:
            self.module_classes[node.name.value] = node
        self.frames.append(node)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self.frames.pop()

    def _current_class_for_body(self) -> Optional[cst.ClassDef]:
        """The class whose body we are directly in (not inside one of its methods)."""
        if self.frames and isinstance(self.frames[-1], cst.ClassDef):
            return self.frames[-1]
        return None

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        cls = self._current_class_for_body()
        self.func_class[id(node)] = cls
        if cls is not None:
            self.class_methods[(id(cls), node.name.value)] = node
            params = node.params.posonly_params or node.params.params
            if params:
                self.self_names[id(node)] = params[0].name.value
        self.frames.append(node)
        self.returns.setdefault(id(node), [])
        ps = node.params
        for p in (*ps.posonly_params, *ps.params, *ps.kwonly_params):
            self.param_owner[id(p)] = node

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.frames.pop()

    def visit_Return(self, node: cst.Return) -> None:
        func = self._innermost_function()
        if func is not None and node.value is not None:
            self.returns[id(func)].append(node.value)

    def _innermost_function(self) -> Optional[cst.FunctionDef]:
        for f in reversed(self.frames):
            if isinstance(f, cst.FunctionDef):
                return f
        return None

    def _method_class(self) -> Tuple[Optional[cst.ClassDef], Optional[str]]:
        """The class of the innermost enclosing method and its `self` name (closures see it too)."""
        for f in reversed(self.frames):
            if isinstance(f, cst.FunctionDef) and self.func_class.get(id(f)) is not None:
                return self.func_class[id(f)], self.self_names.get(id(f))
        return None, None

    def context(self) -> Tuple[Optional[cst.ClassDef], Optional[cst.FunctionDef]]:
        cls, _ = self._method_class()
        if cls is None:
            cls = self._current_class_for_body()
        return cls, self._innermost_function()

    # -- bindings ------------------------------------------------------------------------
    def _bind(
        self,
        target: cst.BaseExpression,
        value: Optional[cst.BaseExpression],
        annotation: Optional[cst.BaseExpression] = None,
    ) -> None:
        self.key_uses.bind(target, value, self._scope_id(), self._current_class_for_body() is not None)
        if isinstance(target, cst.Name):
            if value is not None:
                self.assign_values[id(target)] = value
            if annotation is not None:
                self.annotations[id(target)] = annotation
            cls = self._current_class_for_body()
            if cls is not None:
                if value is not None:
                    self.self_attrs.setdefault((id(cls), target.value), []).append(value)
                if annotation is not None:
                    self.self_annots[(id(cls), target.value)] = annotation
        elif isinstance(target, cst.Attribute):
            # `self.x = v`, also nested (`self.config.model = v`, keyed "config.model"), and `Config.x = v`
            path = dotted_name(target)
            head, _, rest = (path or "").partition(".")
            cls, self_name = self._method_class()
            if not rest:
                pass
            elif cls is not None and head == self_name:
                if value is not None:
                    self.self_attrs.setdefault((id(cls), rest), []).append(value)
                if annotation is not None:
                    self.self_annots[(id(cls), rest)] = annotation
            elif value is not None and head in self.module_classes:
                cls_node = self.module_classes[head]
                self.self_attrs.setdefault((id(cls_node), rest), []).append(value)
        elif isinstance(target, cst.Subscript) and isinstance(target.value, cst.Name) and len(target.slice) == 1:
            idx = target.slice[0].slice
            key = string_value(idx.value) if isinstance(idx, cst.Index) else None
            if key is not None and value is not None:
                self.item_writes.append((target.value, key, value))

    def visit_Assign(self, node: cst.Assign) -> None:
        super().visit_Assign(node)
        for t in node.targets:
            self._bind(t.target, node.value)
            if isinstance(t.target, cst.Attribute):
                self.attr_assigns.append((node, t.target))
                self.context_of[id(node)] = self.context()
                self.note_statement(node)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._bind(node.target, node.value, node.annotation.annotation)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._bind(node.target, node.value)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self._bind(node.asname.name, node.item)

    def visit_Param(self, node: cst.Param) -> None:
        self.key_uses.bind(node.name, node.default, self._scope_id(), False)
        if node.annotation is not None:
            self.annotations[id(node)] = node.annotation.annotation

    def visit_Comparison(self, node: cst.Comparison) -> None:
        super().visit_Comparison(node)
        self.key_uses.comparison(node, self._scope_id())

    def visit_Subscript(self, node: cst.Subscript) -> None:
        super().visit_Subscript(node)
        self.key_uses.subscript(node, self._scope_id())

    def _scope_id(self) -> Optional[int]:
        func = self._innermost_function()
        return id(func) if func is not None else None

    def visit_Call(self, node: cst.Call) -> None:
        super().visit_Call(node)
        self.key_uses.call(node, self._scope_id())
        func = node.func
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
            # `params.update({"model": ...})`, `params.update(model=...)`, `params.setdefault("model", ...)`
            if func.attr.value == "update":
                for arg in node.args:
                    if arg.keyword is not None:
                        self.item_writes.append((func.value, arg.keyword.value, arg.value))
                    elif not arg.star and isinstance(arg.value, cst.Dict):
                        for el in arg.value.elements:
                            key = string_value(el.key) if isinstance(el, cst.DictElement) else None
                            if key is not None and isinstance(el, cst.DictElement):
                                self.item_writes.append((func.value, key, el.value))
            elif func.attr.value == "setdefault" and len(node.args) == 2 and node.args[0].keyword is None:
                key = string_value(node.args[0].value)
                if key is not None:
                    self.item_writes.append((func.value, key, node.args[1].value))
        if isinstance(node.func, (cst.Attribute, cst.Name, cst.Subscript, cst.Call)):
            # (CLIENTS[name](...) and getattr(openai, "OpenAI")(...) may construct a client)
            cls, fn = self.context()
            self.calls.append((node, cls, fn))
            self.note_statement(node)

    def visit_Dict(self, node: cst.Dict) -> None:
        self.dicts.append((node, self.context()[0]))
        self.note_statement(node)

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        super().visit_SimpleString(node)
        self.note_statement(node)
        if self.frames:
            self.context_of[id(node)] = self.context()

    def visit_ConcatenatedString(self, node: cst.ConcatenatedString) -> None:
        self.note_statement(node)


def _asname(alias: cst.ImportAlias) -> Optional[str]:
    return alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else None


def _class_like(func: cst.BaseExpression) -> bool:
    """`Agent(...)`, `kit.Agent(...)`: a constructor by naming convention (a positional argument may be a key)."""
    name = func.attr if isinstance(func, cst.Attribute) else func
    return isinstance(name, cst.Name) and name.value[:1].isupper()


def _default_arg(call: cst.Call) -> Optional[cst.BaseExpression]:
    """The default of a `get(name, default)` / `getenv(name, default=...)` read, None when it has none."""
    if len(call.args) > 1 and call.args[1].keyword is None:
        return call.args[1].value
    return next((a.value for a in call.args[1:] if a.keyword and a.keyword.value == "default"), None)
