"""TOML files are parsed once per machine (tomlcache.py): kept signed, by content, in the user's directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from offramp import tomlcache

DOC = 'schema = 1\n[packages]\nprefilter = ["openai", "azure"]\n[[rule]]\ncode = "OFR101"\n'


@pytest.fixture
def machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "machine"))
    return tmp_path / "machine" / "offramp" / "rules"


def _no_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*a: object, **k: object) -> None:
        raise AssertionError("parsed again")

    monkeypatch.setattr(tomlcache.toml_module(), "loads", refuse)


def test_a_rules_file_is_parsed_once_per_machine(tmp_path: Path, machine: Path, monkeypatch) -> None:
    rules = tmp_path / "openai.toml"
    rules.write_text(DOC)
    first = tomlcache.parse(str(rules))
    assert first["packages"]["prefilter"] == ["openai", "azure"]
    assert [p.name.split("-")[0] for p in machine.iterdir()] == ["openai"]
    with monkeypatch.context() as m:
        _no_parser(m)
        assert tomlcache.parse(str(rules)) == first


def test_an_edited_rules_file_is_parsed_again_and_replaces_the_old_copy(tmp_path: Path, machine: Path) -> None:
    rules = tmp_path / "openai.toml"
    rules.write_text(DOC)
    tomlcache.parse(str(rules))
    rules.write_text(DOC.replace('"azure"', '"azure", "dashscope"'))
    assert tomlcache.parse(str(rules))["packages"]["prefilter"] == ["openai", "azure", "dashscope"]
    assert len(list(machine.iterdir())) == 1


def test_a_copy_signed_elsewhere_or_corrupt_is_not_trusted(tmp_path: Path, machine: Path, monkeypatch) -> None:
    """marshal is not safe on crafted input, and a copy is named by the file's content: only this machine's
    signature makes it one to load."""
    rules = tmp_path / "openai.toml"
    rules.write_text(DOC)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "elsewhere"))
    tomlcache.parse(str(rules))
    (kept,) = (tmp_path / "elsewhere" / "offramp" / "rules").iterdir()
    forged = kept.read_bytes().replace(b"azure", b"zzzzz")
    assert forged != kept.read_bytes()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "machine"))
    machine.mkdir(parents=True)
    for data in (forged, kept.read_bytes(), b"\0" * 40, b""):
        (machine / kept.name).write_bytes(data)
        assert tomlcache.parse(str(rules))["packages"]["prefilter"] == ["openai", "azure"]
        assert (machine / kept.name).read_bytes() not in (forged, kept.read_bytes(), data)  # replaced by our own
        with monkeypatch.context() as m:
            _no_parser(m)
            assert tomlcache.parse(str(rules))["packages"]["prefilter"] == ["openai", "azure"]


def test_without_a_user_directory_every_run_parses(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", "~")  # (no absolute home: no user cache directory)
    rules = tmp_path / "openai.toml"
    rules.write_text(DOC)
    assert tomlcache.parse(str(rules))["rule"] == [{"code": "OFR101"}]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["openai.toml"]


def test_a_date_is_parsed_every_time(tmp_path: Path, machine: Path) -> None:
    rules = tmp_path / "upstream.toml"
    rules.write_text("checked = 2026-12-05\n")
    assert str(tomlcache.parse(str(rules))["checked"]) == "2026-12-05"
    assert not machine.exists() or not list(machine.iterdir())


def test_invalid_toml_still_raises_for_the_catalog_to_report(tmp_path: Path, machine: Path) -> None:
    rules = tmp_path / "openai.toml"
    rules.write_text("schema = = 1\n")
    with pytest.raises(tomlcache.toml_module().TOMLDecodeError):
        tomlcache.parse(str(rules))


def test_the_index_watch_is_kept_per_machine_and_equals_the_one_built(machine: Path, monkeypatch) -> None:
    """project/index.py `watch_from_rules`: built from the rules once, then read back (without loading the SDK
    surface or the framework table), equal field by field, patterns included."""
    from offramp.project import index

    index.watch_from_rules.cache_clear()
    built = index._built_watch()
    assert index.watch_from_rules() == built
    assert [p.name.split("-")[:2] for p in machine.iterdir() if p.name.startswith("derived-")] == [["derived", "watch"]]
    index.watch_from_rules.cache_clear()
    with monkeypatch.context() as m:
        m.setattr(index, "_built_watch", lambda: pytest.fail("built again"))
        kept = index.watch_from_rules()
    assert kept == built and kept.dotted.pattern == built.dotted.pattern and kept.makers.flags == built.makers.flags
    index.watch_from_rules.cache_clear()


def test_a_kept_watch_signed_elsewhere_is_not_used(tmp_path: Path, machine: Path, monkeypatch) -> None:
    from offramp.project import index

    index.watch_from_rules.cache_clear()
    built = index._built_watch()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "elsewhere"))
    stamp = __import__("offramp.cache", fromlist=["own_stamp"]).own_stamp().hex()
    tomlcache.keep_derived("watch", stamp, {**index._watch_data(built), "libraries": frozenset({"nothing"})})
    (forged,) = (tmp_path / "elsewhere" / "offramp" / "rules").iterdir()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "machine"))
    machine.mkdir(parents=True)
    (machine / forged.name).write_bytes(forged.read_bytes())
    assert index.watch_from_rules().libraries == built.libraries
    index.watch_from_rules.cache_clear()
