"""The prefilter's searches are grouped (a part shared by several tokens is searched once): it must answer
exactly as one search per token of the lowered bytes did."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from offramp.prefilter import _load, _plan, may_match


def _naive(data: bytes, config: bool) -> bool:
    lowered = data.lower()
    return any(token in lowered for token in _load()[1 if config else 0])


def _pieces() -> list:
    out = [b"", b" ", b"\n", b"x", b"agents", b"crewai", b"from", b"import", b"FROM ", b"Import\t"]
    for tokens in _load():
        for token in tokens:
            out += [token, token.upper(), token[:-1], token[1:], token.replace(b" ", b"  ")]
    return out


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_pieces()), max_size=6), st.booleans())
def test_grouped_searches_answer_as_one_search_per_token(parts: list, config: bool) -> None:
    data = b"".join(parts)
    assert may_match(data, config) == _naive(data, config), data


def test_tokens_of_several_words_are_searched_under_their_last_word() -> None:
    plan = dict(_plan((b"openai", b"from agents", b"import agents", b"sk-", b"a b")))
    assert plan[b"agents"] == (b"from agents", b"import agents")
    assert plan[b"openai"] == (b"openai",) and plan[b"sk-"] == (b"sk-",)
    assert plan[b"a b"] == (b"a b",)  # (a last word under 4 bytes is no cheaper to search)
