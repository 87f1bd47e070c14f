"""The two walks that find a file's sites find the same ones (issue 14: one file decides each step).

`check` reads a file that does not import the SDK with the stdlib `ast` (analysis/quick.py, about ten times
faster); `fix` plans every file, and `check` reads one with the SDK, with LibCST (analysis/collector.py), whose
edits need its nodes. Whether a node is a site (an environment read or write, a key, an OpenAI/Azure URL in
code) is decided once, in analysis/sites.py; this runs both walks over every fixture file and asks for the
same sites at the same spans: what check reports of a file is what fix finds there to rewrite.
"""

from __future__ import annotations

from typing import List, Tuple

import pytest
from helpers import FIXTURES

from offramp.analysis import analyze, imports_sdk
from offramp.analysis.quick import quick_facts
from offramp.analysis.sites import OsNames, url_site
from offramp.catalog import load_sdk
from offramp.providers import known_provider_hosts
from offramp.source import parse_module

SOURCES = sorted(FIXTURES.rglob("*.py"))


def _sites(env, urls, keys, on_your_data) -> Tuple[List, List, List, List]:
    return (
        sorted((tuple(vars(e.span).values()), e.name, e.role, e.write) for e in env),
        sorted((tuple(vars(u.span).values()), u.url, u.target.kind, u.target.host, u.plain) for u in urls),
        sorted(tuple(vars(k.span).values()) for k in keys),
        sorted(tuple(vars(s).values()) for s in on_your_data),
    )


def test_both_walks_find_the_same_sites_in_every_fixture_file() -> None:
    sdk, hosts = load_sdk(), known_provider_hosts()
    compared = {True: 0, False: 0}
    differ = []
    for path in SOURCES:
        text = path.read_text("utf-8")
        quick = quick_facts(text, sdk, hosts)
        try:
            module = parse_module(text)
        except Exception:
            continue  # (a syntax-error fixture: OFR000 on both paths)
        assert quick is not None, path
        full = analyze(module, text, sdk, hosts)
        compared[imports_sdk(text, sdk)] += 1
        if _sites(quick.env, quick.urls, quick.keys, quick.on_your_data) != _sites(
            full.env, full.urls, full.keys, full.on_your_data
        ):
            differ.append(path.relative_to(FIXTURES).as_posix())
    assert not differ, differ
    # both kinds of file are compared: those check reads with `ast` and those it reads with LibCST
    assert compared[False] >= 80 and compared[True] >= 400, compared


@pytest.mark.parametrize(
    "imports, dotted, path",
    [
        ([("os", None)], "os.environ.get", "environ.get"),
        ([("os", "o")], "o.getenv", "getenv"),
        ([("os", None)], "os", None),
        ([], "o.getenv", None),
        ([("from", "environ", "env")], "env.get", "environ.get"),
        ([("from", "getenv", None)], "getenv", "getenv"),
        ([("from", "getenv", None)], "os.getenv", "getenv"),
    ],
)
def test_names_of_the_os_module(imports, dotted, path) -> None:
    names = OsNames()
    for imp in imports:
        if imp[0] == "from":
            names.imported_from("os", imp[1], imp[2])
        else:
            names.imported(*imp)
    assert names.path(dotted) == path


def test_a_url_site_is_openais_or_azures_and_no_placeholder() -> None:
    sdk, hosts = load_sdk(), known_provider_hosts()
    assert url_site("https://api.openai.com/v1", sdk, hosts)[1].kind == "openai"  # type: ignore[index]
    assert url_site("https://my-res.openai.azure.com/", sdk, hosts)[1].kind == "azure"  # type: ignore[index]
    assert url_site("https://dashscope.aliyuncs.com/compatible-mode/v1", sdk, hosts) is None
    assert url_site("https://YOUR_RESOURCE.openai.azure.com/", sdk, hosts) is None


# Requests the file's own analysis finds (analysis/calls.py, LibCST) that the route stage (project/routes.py, over
# the project index) does not: a class bound again in an `except ImportError`, a Bedrock client wrapped by
# instructor (no OpenAI route), Langfuse's traced module client, Assistants calls that name no model. Everywhere
# else the route stage holds each of the file's requests at the same span, which is how check and fix join its
# answers to the file's findings and plans (`RouteJudge.models_resolved`). It must not grow.
UNROUTED = {
    ("cloud_clients.py", 13),
    ("request_semantics.py", 67),
    ("request_semantics.py", 68),
}


def test_every_request_a_file_shows_is_a_route_at_the_same_span() -> None:
    from offramp.project.files import routes_of_files

    sdk, hosts = load_sdk(), known_provider_hosts()
    roots = [FIXTURES / "fix" / "input", *sorted(p for p in (FIXTURES / "projects").iterdir() if p.is_dir())]
    roots += sorted(p for p in (FIXTURES / "oracle").iterdir() if p.is_dir())
    found, missing = 0, set()
    for root in roots:
        files = {p.relative_to(root).as_posix(): p for p in sorted(root.rglob("*.py"))}
        single = root.name == "input"  # (the fix fixtures: each file a program of its own)
        for name, path in files.items():
            text = path.read_text("utf-8", "replace")
            try:
                calls = analyze(parse_module(text), text, sdk, hosts).calls
            except Exception:
                continue
            if not calls:
                continue
            routes = routes_of_files({name: path} if single else files, root)
            spans = {r.span for r in routes if r.file == name}
            for c in calls:
                found += 1
                if c.span not in spans:
                    missing.add((name, c.span.line))
    assert missing == UNROUTED and found >= 130, (sorted(missing), found)
