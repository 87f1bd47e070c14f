"""Every regular expression offramp applies to file content must take time linear in its input.

Python's `re` backtracks: `[^=:]*?[ \\t]*[=:]` on `a` + 100,000 spaces took 143 s (issue 12), a
three-word "prose" search on 30,000 letters 30 s. Such a pattern lets one file stall a CI job.

No timing is asserted. The work a pattern does on a 100 kB adversarial line is compared with ten
times the work it does on the 10 kB line built the same way: linear work gives a ratio near 1,
quadratic work ~10. A pattern still running after `_GUARD_SECONDS` on 100 kB is reported as such
(a linear one needs milliseconds), so a regression fails in seconds, not hours.

The patterns are enumerated, not listed: every compiled pattern at module level in `offramp`,
every `re.<function>("literal", ...)` call in its source, and the patterns of rules/openai.toml.
How a pattern is used decides how it is driven: patterns only ever `.match`ed or `.fullmatch`ed
(at a line start, on a key) are driven that way; any other use is driven by `finditer` over the
whole line. The adversarial lines come from each pattern's own parse tree: long runs of every
character it mentions or repeats, pairs of repeated characters (`a-a-a-...`), and each literal
followed by a long run (near misses such as `sk-` + 100k letters).
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
import itertools
import json
import pkgutil
import re
import signal
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Set, Tuple

import pytest
from helpers import run_cli

import offramp
from offramp.catalog import load_sdk
from offramp.project.index import watch_from_rules

if sys.version_info >= (3, 11):
    import re._parser as sre_parse  # type: ignore[import-not-found]
    from re import _compiler as sre_compile  # type: ignore[attr-defined]
else:  # pragma: no cover - exercised on Python < 3.11 only
    import sre_compile
    import sre_parse

MAXREPEAT = sre_parse.MAXREPEAT

SRC = Path(offramp.__file__).parent
SMALL, LARGE = 10_000, 100_000
RATIO_LIMIT = 3.0  # linear: ~1; quadratic: ~10
_GUARD_SECONDS = 30.0
# Patterns built at run time from other text, judged here by a person (module, source of the call).
_BUILT_AT_RUN_TIME = {
    # A literal (re.escape of a name) between two one-character assertions.
    ("fixes/unusedimports.py", 're.findall(r"(?<!\\w)" + re.escape(word) + r"(?!\\w)", text)'),
    # rules/openai.toml's patterns: enumerated below from the loaded SdkSurface.
    ("catalog.py", 're.compile(env["pattern"])'),
    ("catalog.py", 're.compile(models["pattern"])'),
    ("catalog.py", "re.compile(p)"),
    ("catalog.py", 're.compile(f["regex"])'),
    # Alternations of escaped names from rules/: enumerated below from watch_from_rules().
    ("project/index.py", 're.compile(rf"\\.(?:(?:{alternation})\\b|(?:{calls})\\s*\\()")'),
    ("project/index.py", 're.compile(rf"\\.(?:{names})\\b")'),
    # The same two, read back from the kept Watch (signed; tests/test_tomlcache.py: equal to the one built).
    ("project/index.py", 're.compile(*data["dotted"])'),
    ("project/index.py", 're.compile(*data["makers"])'),
    # An import line naming one of the project's modules: anchored at line starts (re.M), one
    # pass over the line and its alternation of escaped names per line, so linear in the file.
    ("project/questions.py", 're.compile(rb"^[ \\t]*(?:from|import)[ \\t][^\\n]*\\b(?:" + names + rb")\\b", re.M)'),
    # An SDK request chain (`.chat.completions.create(`): anchored at a dot, an alternation of escaped resource
    # names, a fixed alternation of methods, then `\w*`, `\s*` and `(`, three disjoint classes: linear.
    (
        "project/questions.py",
        're.compile(rb"\\.(?:" + names + rb")\\.(?:create|parse|stream|generate|edit)\\w*\\s*\\(")',
    ),
    # Variable names (escaped) between quotes, or after a line's indentation: one alternation tried
    # at each position, the first anchored at a quote and the second at a line start.
    ("userconfig/readers.py", 're.compile(rf"[\\"\']({alternation})[\\"\']")'),
    ("userconfig/readers.py", 're.compile(rf"^[ \\t]+({alternation})[ \\t]*:", re.M | re.I)'),
    # The names an added import binds (identifiers, escaped) between word boundaries: one alternation
    # of literals tried at each position of the fix's replacement text.
    ("fixes/attribution.py", 're.compile(r"\\b(?:" + "|".join(re.escape(n) for n in sorted(names)) + r")\\b")'),
}
# Characters every pattern is tried with, beside those it names: letters, digits, blanks, line
# breaks, quotes, punctuation a scanner may stop at, and non-ASCII letters.
_PALETTE = "aZ0_ \t\n\r-.:=/\"'#,;\\{}[]()$@?%&*+!<>`|~é中"
_SEARCH_METHODS = {"search", "finditer", "findall", "sub", "subn", "split"}
_MATCH_METHODS = {"match", "fullmatch"}
_RE_FUNCTIONS = _SEARCH_METHODS | _MATCH_METHODS | {"compile"}


@dataclass(frozen=True)
class Case:
    where: str
    pattern: re.Pattern[str]
    anchored: bool  # only ever matched at one position (match / fullmatch)

    def __str__(self) -> str:
        return self.where


# -- which patterns ------------------------------------------------------------------------------


def _modules() -> Iterator[Tuple[str, Path]]:
    for info in pkgutil.walk_packages(offramp.__path__, "offramp."):
        if info.name.endswith("__main__"):
            continue
        rel = info.name[len("offramp.") :].replace(".", "/")
        path = SRC / (rel + ".py")
        if not path.exists():
            path = SRC / rel / "__init__.py"
        yield info.name, path


def _uses() -> Dict[str, Set[str]]:
    """Pattern name -> how it is used anywhere in the source (`?` for anything but a method call)."""
    uses: Dict[str, Set[str]] = {}
    for _, path in _modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        called = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                uses.setdefault(node.value.id, set()).add(node.attr)
                called.add(id(node.value))
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and id(node) not in called:
                uses.setdefault(node.id, set()).add("?")
    return uses


def _flags(call: ast.Call) -> int:
    args = list(call.args[1:]) + [k.value for k in call.keywords if k.arg == "flags"]
    flags = 0
    for arg in args:
        for node in ast.walk(arg):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "re":
                value = getattr(re, node.attr, None)
                if isinstance(value, re.RegexFlag):
                    flags |= value
    return flags


def _re_calls(tree: ast.AST) -> Iterator[ast.Call]:
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "re"
            and node.func.attr in _RE_FUNCTIONS
            and node.args
        ):
            yield node


def _cases() -> List[Case]:
    uses = _uses()
    cases: List[Case] = []
    for name, path in _modules():
        module = importlib.import_module(name)
        rel = path.relative_to(SRC).as_posix()
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)
        constants: Dict[str, ast.AST] = {}  # module-level NAME = <expression>
        for node in tree.body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                constants[node.targets[0].id] = node.value
        at_top = {id(n) for value in constants.values() for n in ast.walk(value)}
        for attr in constants:
            compiled = getattr(module, attr, None)
            if isinstance(compiled, re.Pattern) and isinstance(compiled.pattern, str):
                how = uses.get(attr) or {"?"}
                cases.append(Case(f"{rel}:{attr}", compiled, how <= _MATCH_METHODS))
        for call in _re_calls(tree):
            first = call.args[0]
            if id(call) in at_top and call.func.attr == "compile":  # type: ignore[attr-defined]
                continue  # a module constant, above
            func = call.func.attr  # type: ignore[attr-defined]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                anchored = func in _MATCH_METHODS
                cases.append(Case(f"{rel}:{call.lineno} re.{func}", re.compile(first.value, _flags(call)), anchored))
            elif (rel, ast.get_source_segment(source, call)) not in _BUILT_AT_RUN_TIME:
                raise AssertionError(
                    f"{rel}:{call.lineno}: a pattern built at run time; judge it and list it in _BUILT_AT_RUN_TIME"
                )
    sdk = load_sdk()
    cases.append(Case("rules/openai.toml [environment] pattern", sdk.env_pattern, False))
    cases.append(Case("rules/openai.toml [models] pattern", sdk.model_pattern, False))
    cases.extend(Case(f"rules/openai.toml [models] not {p.pattern}", p, False) for p in sdk.model_not)
    cases.extend(Case(f"rules/openai.toml family {f}", p, False) for f, p in sdk.model_families)
    watch = watch_from_rules()
    for f in dataclasses.fields(watch):
        value = getattr(watch, f.name)
        if isinstance(value, re.Pattern):
            cases.append(Case(f"project/index.py watch_from_rules().{f.name}", value, False))
    return cases


CASES = _cases()


# -- adversarial lines ---------------------------------------------------------------------------


def _walk(tree, tests: list, bodies: list, literals: List[str]) -> None:  # type: ignore[no-untyped-def]
    """Collect the pattern's one-character tests, the bodies of its long repeats and its literal runs."""
    run: List[str] = []
    for op, av in tree:
        name = str(op)
        if name == "LITERAL":
            run.append(chr(av))
        elif len(run) > 1:
            literals.append("".join(run))
        if name != "LITERAL":
            run = []
        if name in ("LITERAL", "NOT_LITERAL", "IN", "ANY"):
            tests.append(sre_parse.SubPattern(tree.state, [(op, av)]))
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            if av[1] == MAXREPEAT or av[1] >= 16:
                bodies.append(sre_parse.SubPattern(tree.state, list(av[2])))
            _walk(av[2], tests, bodies, literals)
        elif name == "SUBPATTERN":
            _walk(av[-1], tests, bodies, literals)
        elif name == "ATOMIC_GROUP":
            _walk(av, tests, bodies, literals)
        elif name == "BRANCH":
            for sub in av[1]:
                _walk(sub, tests, bodies, literals)
        elif name in ("ASSERT", "ASSERT_NOT"):
            _walk(av[1], tests, bodies, literals)
        elif name == "GROUPREF_EXISTS":
            for sub in av[1:]:
                if sub is not None:
                    _walk(sub, tests, bodies, literals)
    if len(run) > 1:
        literals.append("".join(run))


def adversarial_lines(pattern: re.Pattern[str], n: int) -> Iterator[str]:
    """Lines of length ~n that make a backtracking pattern work hard, if anything does.

    Characters the pattern cannot tell apart (every one-character test it makes says the same
    about them) are one class; one character stands for each class. Lines: a run of each, two
    repeated characters alternating, a character or literal before or after a run of a repeated
    one, and each literal repeated.
    """
    tree = sre_parse.parse(pattern.pattern, pattern.flags)
    tests: list = []
    bodies: list = []
    literals: List[str] = []
    _walk(tree, tests, bodies, literals)
    compiled = [sre_compile.compile(t, pattern.flags) for t in tests]
    candidates = sorted(set(_PALETTE) | {chr(av) for t in tests for op, av in t if str(op) == "LITERAL"})
    classes: Dict[Tuple[bool, ...], str] = {}
    for c in candidates:
        classes.setdefault(tuple(bool(t.match(c)) for t in compiled), c)
    alphabet = sorted(classes.values())
    repeated = []
    for body in bodies:
        rx = sre_compile.compile(body, pattern.flags)
        repeated += [c for c in alphabet if c not in repeated and (m := rx.match(c * 4)) and m.end() > 0]
    for c in alphabet:
        yield c * n
    for a, b in itertools.permutations(repeated, 2):
        yield (a + b) * (n // 2)
    for x in alphabet + literals:
        for u in repeated:
            yield x + u * n
            yield u * n + x
    for lit in literals:
        yield lit * (n // len(lit))
    for example in _examples(tree, alphabet, pattern.flags)[:_MAX_EXAMPLES]:
        for k in range(1, len(example) + 1):
            yield example[:k] * (n // k)  # a match begun over and over (`${a:${a:...`), or whole ones


_MAX_EXAMPLES = 24


def _examples(tree, alphabet: List[str], flags: int) -> List[str]:  # type: ignore[no-untyped-def]
    """Short strings the pattern matches (or nearly: assertions and backreferences are skipped),
    one for each alternative of each branch."""
    out = [""]
    for op, av in tree:
        name = str(op)
        if name in ("LITERAL", "NOT_LITERAL", "IN", "ANY"):
            test = sre_compile.compile(sre_parse.SubPattern(tree.state, [(op, av)]), flags)
            options = [next((c for c in alphabet if test.match(c)), "")]
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            times = max(av[0], 1) if av[1] else 0
            options = [e * times for e in _examples(av[2], alphabet, flags)]
        elif name == "SUBPATTERN":
            options = _examples(av[-1], alphabet, flags)
        elif name == "ATOMIC_GROUP":
            options = _examples(av, alphabet, flags)
        elif name == "BRANCH":
            options = [e for sub in av[1] for e in _examples(sub, alphabet, flags)]
        else:
            options = [""]
        # Vary one element at a time: the first option everywhere else (no cross product).
        out = [out[0] + o for o in options] + [e + options[0] for e in out[1:]]
    return out[:_MAX_EXAMPLES]


def _driver(case: Case) -> Callable[[str], object]:
    p = case.pattern
    if case.anchored:
        return lambda s: (p.match(s), p.fullmatch(s))
    return lambda s: sum(1 for _ in p.finditer(s))


class _Slow(Exception):
    pass


def _on_alarm(signum, frame):  # type: ignore[no-untyped-def]
    raise _Slow


@contextmanager
def _guard() -> Iterator[None]:
    """Raise _Slow in whatever pattern is still running after _GUARD_SECONDS (`re` checks signals)."""
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, _GUARD_SECONDS)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _work(run: Callable[[str], object], text: str, times: int, repeats: int = 3) -> float:
    """CPU time of `times` runs over `text`, the least of `repeats` tries (the others were disturbed)."""
    best = float("inf")
    for _ in range(repeats):
        start = time.process_time()
        for _ in range(times):
            run(text)
        best = min(best, time.process_time() - start)
    return best


def _worst(run: Callable[[str], object], pattern: re.Pattern[str], keep: int = 3) -> List[int]:
    """The adversarial lines (by index) whose 10 kB version costs the pattern most."""
    costs = []
    for i, line in enumerate(adversarial_lines(pattern, SMALL)):
        start = time.process_time()
        run(line)
        costs.append((time.process_time() - start, i))
    return [i for _, i in sorted(costs, reverse=True)[:keep]]


def _nth(pattern: re.Pattern[str], n: int, i: int) -> str:
    return next(itertools.islice(adversarial_lines(pattern, n), i, None))


def test_patterns_are_found() -> None:
    names = {c.where for c in CASES}
    # One of each kind: a module constant, an inline call, rules data; used by search or by match.
    assert "userconfig/meaning.py:_PROSE" in names
    assert any(n.startswith("userconfig/") and " re.search" in n for n in names)
    assert "rules/openai.toml [environment] pattern" in names
    assert not next(c for c in CASES if c.where == "userconfig/meaning.py:_PROSE").anchored
    assert next(c for c in CASES if c.where == "userconfig/envfile.py:_ENV_ASSIGN").anchored
    assert len(CASES) > 40


def test_adversarial_lines_include_the_known_blow_ups() -> None:
    def has(lines: Set[str], first: str, unit: str) -> bool:
        return any(line[:1] in first and set(line[1:]) <= set(unit) and len(line) > 1000 for line in lines)

    # issue 12: `a` and 100,000 blanks against the INI key pattern.
    ini = set(adversarial_lines(re.compile(r"([^\s=:;#\[][^=:]*?)[ \t]*([=:])[ \t]*"), 1000))
    assert has(ini, "!aZ0", " \t")
    # `${a:` begun over and over against a reference whose default runs to the next `}`.
    refs = set(adversarial_lines(re.compile(r"\$\{(?P<a>[A-Za-z_][A-Za-z0-9_]*)(?:[:?+=\-][^}]*)?\}"), 1000))
    assert any(line.count("${") > 100 and not set(line).isdisjoint(":?+=-") and "}" not in line for line in refs)
    # issue 12: "a-" * 5000 against the key-masking pattern (a stand-in of its shape).
    masking = set(adversarial_lines(re.compile(r"\b(?:[a-z0-9]+[-_])*key\s*=\s*\S+"), 1000))
    assert any(set(line) == {"-", "0"} or set(line) == {"-", "a"} for line in masking)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_pattern_is_linear(case: Case) -> None:
    run = _driver(case)
    try:
        with _guard():
            for i in _worst(run, case.pattern):
                small, large = _nth(case.pattern, SMALL, i), _nth(case.pattern, LARGE, i)
                ratio = _work(run, large, 1) / max(_work(run, small, LARGE // SMALL), 1e-6)
                assert ratio < RATIO_LIMIT, (
                    f"{case}: {ratio:.1f}x the work per byte on {large[:8]!r}...{large[-8:]!r} "
                    f"({len(large)} chars) as on its 10 kB version: not linear"
                )
    except _Slow:
        pytest.fail(f"{case}: still running after {_GUARD_SECONDS:.0f} s on 10-100 kB lines: not linear")


# -- whole files, through the scanners and the command line ----------------------------------------


def payloads(n: int) -> Dict[str, str]:
    """Values of ~n characters made of what the scanners and their patterns repeat."""
    return {
        "letters": "a" * n,
        "words": "ab " * (n // 3),
        "blanks after a letter": "a" + " " * n,
        "tabs": "\t" * n,
        "a-": "a-" * (n // 2),
        "escaped quotes": '"' + '\\"' * (n // 2),
        "escaped single quotes": "'" + "\\'" * (n // 2),
        "open references": "${a:" * (n // 4),
        "sk-": "sk-" + "a" * n,
        "url": "https://" + "a" * n,
        "schemes": "http://" * (n // 7),
        "brackets": "[" * n,
        "braces": "{" * n,
        "separators": "=:" * (n // 2),
        "hashes": "# " * (n // 2),
        "suppressions": "# offramp: ignore[" * (n // 18),
    }


# Lines of each kind of file that put a payload X where its scanner looks: keys, values, quoted
# values left open, comments, lines that are not settings. The first line passes the prefilter.
TEMPLATES: Dict[str, Tuple[str, ...]] = {
    ".env": ("OPENAI_API_KEY=", "X", "OPENAI_API_KEY=X", 'OPENAI_MODEL="X', "OPENAI_BASE_URL=X # X", "export X=1"),
    "settings.ini": ("[openai]", "X", "model = X", "openai_api_base: X", "[X", "  X"),
    "config.yaml": ("openai: 1", "X", "model: X", "- X", "api_base: 'X", 'OPENAI_API_KEY: "X"', "X: 1"),
    "config.json": ('{"model": "X", "X": ["X"], "openai": 1}',),
    "broken.json": ('{"openai": X',),
    "config.toml": ("openai = 1", 'model = "X"', "model = 'X'", "X = 1"),
}


def _file_text(name: str, payload: str) -> str:
    return "\n".join(line.replace("X", payload) for line in TEMPLATES[name]) + "\n"


@pytest.fixture(scope="module")
def check_file():  # type: ignore[no-untyped-def]
    from offramp.engine import check_path, make_options, resolve_provider
    from offramp.settings import Settings
    from offramp.userconfig.fix import fix_config

    settings = Settings(root=Path("."))
    provider = resolve_provider("deepseek", settings)
    opts = make_options(settings, provider)
    sdk = load_sdk()

    def run(path: Path) -> None:
        check_path(path, opts)
        fix_config(path.name, path.read_text(encoding="utf-8"), provider, sdk)  # type: ignore[arg-type]

    return run


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_configuration_scanners_are_linear(name: str, tmp_path: Path, check_file) -> None:  # type: ignore[no-untyped-def]
    """`check` and `fix` of one configuration file: 100 kB lines cost 10x what 10 kB lines cost, not 100x."""
    small_dir, large_dir = tmp_path / "small", tmp_path / "large"
    small_dir.mkdir()
    large_dir.mkdir()
    costs = []
    for kind, payload in payloads(SMALL).items():
        path = small_dir / kind.replace(" ", "-") / name
        path.parent.mkdir()
        path.write_text(_file_text(name, payload), encoding="utf-8")
        start = time.process_time()
        check_file(path)
        costs.append((time.process_time() - start, kind))
    try:
        with _guard():
            for _, kind in sorted(costs, reverse=True)[:3]:
                small = small_dir / kind.replace(" ", "-") / name
                large = large_dir / kind.replace(" ", "-") / name
                large.parent.mkdir()
                large.write_text(_file_text(name, payloads(LARGE)[kind]), encoding="utf-8")
                ratio = _work(check_file, large, 1) / max(_work(check_file, small, LARGE // SMALL), 1e-6)
                assert ratio < RATIO_LIMIT, f"{name} with {kind}: {ratio:.1f}x the work per byte at 100 kB"
    except _Slow:
        pytest.fail(f"{name}: still running after {_GUARD_SECONDS:.0f} s on 100 kB lines: not linear")


def _python_text(n: int) -> str:
    lines = ["import openai", "client = openai.OpenAI()"]
    shapes = ("# {}", "v = client.chat.completions.create(model={!r})", "v = 1  # offramp: ignore[{}")
    for i, payload in enumerate(payloads(n).values()):
        lines.append(shapes[i % len(shapes)].format(payload))
    return "\n".join(lines) + "\n"


def _notebook_text(n: int) -> str:
    lines = _python_text(n).splitlines(keepends=True)
    cells = [
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": [line]}
        for line in lines
    ]
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1) + "\n"


def adversarial_tree(root: Path, n: int) -> None:
    """Files of each kind offramp reads, each line carrying an n-character payload: for each line
    shape of a kind, one file with every payload in that shape (1.6 MB, under the 2 MB size cap)."""
    for name, (first, *shapes) in TEMPLATES.items():
        for i, shape in enumerate(shapes or [first]):
            lines = ([first] if shapes else []) + [shape.replace("X", p) for p in payloads(n).values()]
            if not shapes:  # JSON: one document on one line
                lines = [_file_text(name, "".join(payloads(n // 16).values()))]
            for where in (root / f"shape{i}" / name, root / f"shape{i}" / "cfg" / "setup.cfg"):
                if where.name == name or name == "settings.ini":
                    where.parent.mkdir(parents=True, exist_ok=True)
                    where.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / "app.py").write_text(_python_text(n), encoding="utf-8")
    (root / "demo.ipynb").write_text(_notebook_text(n), encoding="utf-8")


@pytest.mark.parametrize("command", [["check", "--no-cache", "--output-format", "json"], ["fix", "--diff"]])
def test_cli_finishes_on_adversarial_files(command: List[str], tmp_path: Path) -> None:
    """Every kind of file with 100 kB adversarial lines, through the command line, under a timeout
    (seconds of work when linear; the quadratic patterns of issue 12 needed minutes for one line)."""
    adversarial_tree(tmp_path / "tree", LARGE)
    result = run_cli([*command, "--to", "deepseek", "-j", "1", "tree"], cwd=tmp_path, timeout=300)
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr
