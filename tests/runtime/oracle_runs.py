"""Migrate programs with `offramp fix` and run them under the credential-flow oracle, in batches.

Why
---
The oracle (oracle.py) judges the requests of one run. The tests need hundreds of runs: every
program, for every provider, with the provider's variable set and unset, plus the unmigrated
original as a control. Starting an interpreter per run would spend the time importing the SDK,
so the runs of one SDK flavour go into one batch (batch.py: one interpreter, a fork per run).

`fix` runs in-process through the command line (`offramp fix --to P -q -j 1 .` from the
project's folder, as a user runs it), so whatever `fix` plans over a whole project is what the
oracle sees; this costs about 70 ms per project, against ~1 s for a subprocess.
"""

from __future__ import annotations

import os
import shutil
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Dict, List, Mapping, Optional, Sequence, Tuple

from batch import Job, JobResult, run_batch
from click.testing import CliRunner
from harness import CapturedRequest
from oracle import Oracle, Origin, install_fake_azure

from offramp.cli import main as offramp_cli
from offramp.providers import Provider, builtin_providers

if TYPE_CHECKING:
    import pytest

__all__ = [
    "MODES",
    "ORIGINAL",
    "PROVIDERS",
    "SET",
    "UNSET",
    "Case",
    "Outcome",
    "Program",
    "migrate",
    "run_cases",
    "selected_cases",
]

PROVIDERS: Dict[str, Provider] = builtin_providers()
ORIGINAL = "original"  # the unmigrated program, every variable set: the control
SET = "set"  # migrated, every variable set
UNSET = "unset"  # migrated, the target provider's variable unset
MODES = (SET, UNSET)


@dataclass(frozen=True)
class Program:
    """A program to migrate: one file, or a project folder whose entry point is `main.py`."""

    name: str
    source: Path
    sdk: str = "v1"
    extra: Mapping[str, Origin] = field(default_factory=dict)  # more key variables and their origins
    also: Mapping[str, Tuple[str, ...]] = field(default_factory=dict)  # origin name -> its proxy hosts
    literals: Mapping[str, Origin] = field(default_factory=dict)  # secrets written in the project
    plain_env: Mapping[str, str] = field(default_factory=dict)
    # Variables this program's environment lacks: the v1 module client refuses to choose
    # between OPENAI_API_KEY and AZURE_OPENAI_API_KEY / AZURE_OPENAI_ENDPOINT when both are set.
    drop: Tuple[str, ...] = ()
    preload: Tuple[str, ...] = ("openai",)  # imported once per batch, before the forks
    # The program stops on its own with every variable set (a download the harness cannot
    # serve): judge the requests it sent before, but require at least one.
    may_stop: bool = False

    @property
    def entry(self) -> str:
        return "main.py" if self.source.is_dir() else self.source.name

    def oracle(self) -> Oracle:
        return Oracle.build(
            PROVIDERS.values(), extra=self.extra, also=self.also, literals=self.literals, plain_env=self.plain_env
        )


Case = Tuple[str, Optional[str], str]  # (program name, provider id or None for the original, mode)


def _copy(program: Program, dest: Path) -> Path:
    if program.source.is_dir():
        shutil.copytree(program.source, dest)
    else:
        dest.mkdir(parents=True)
        shutil.copy(program.source, dest / program.source.name)
    return dest / program.entry


def migrate(program: Program, provider_id: str, dest: Path) -> Path:
    """Copy the program to `dest`, run `offramp fix --to provider_id .` there; return its entry point."""
    entry = _copy(program, dest)
    cwd = os.getcwd()
    os.chdir(dest)
    try:
        result = CliRunner().invoke(offramp_cli, ["fix", "--to", provider_id, "-q", "-j", "1", "."])
    finally:
        os.chdir(cwd)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(
            f"offramp fix --to {provider_id} crashed on {program.name}:\n"
            + "".join(traceback.format_exception(*result.exc_info))  # type: ignore[misc]
        )
    if ": error" in result.output or result.exit_code not in (0, 1):
        raise AssertionError(
            f"offramp fix --to {provider_id} on {program.name} (exit {result.exit_code}):\n{result.output}"
        )
    return entry


@dataclass
class Outcome:
    """One run of one program, judged on demand."""

    program: Program
    provider_id: Optional[str]
    mode: str
    entry: Optional[Path] = None
    result: Optional[JobResult] = None
    error: Optional[str] = None

    @property
    def label(self) -> str:
        if self.provider_id is None:
            return f"{self.program.name} (unmigrated)"
        var = PROVIDERS[self.provider_id].key_env
        how = f"{var} unset" if self.mode == UNSET else "every variable set"
        return f"{self.program.name} migrated to {self.provider_id}, {how}"

    def requests(self) -> List[CapturedRequest]:
        if self.error is not None:
            raise AssertionError(f"{self.label}: {self.error}")
        assert self.result is not None
        return self.result.checked(allow_exit=self.mode == UNSET or self.program.may_stop)

    def judge(self) -> None:
        """Fail unless the run kept every secret at home (and, with its variables set, ran and sent requests)."""
        requests = self.requests()
        if self.mode != UNSET:
            assert requests, f"{self.label}: sent no request, so the oracle saw nothing ({self.entry})"
        where = f"{self.label} [{self.entry.parent if self.entry else '?'}]"
        self.program.oracle().check(requests, context=where)


def run_cases(
    programs: Mapping[str, Program], cases: Sequence[Case], tmp: Path, pythons: Mapping[str, Path] = {}
) -> Dict[Case, Outcome]:
    """Migrate each (program, provider) once and run every case, one batch per SDK flavour.

    `pythons`: an interpreter per flavour other than "v0" and "v1" (e.g. a venv with wrappers).
    """
    outcomes: Dict[Case, Outcome] = {}
    entries: Dict[Tuple[str, Optional[str]], Path] = {}
    jobs: Dict[Tuple[str, Tuple[str, ...], Tuple[Tuple[str, str], ...]], List[Job]] = {}
    for case in sorted(set(cases), key=lambda c: (c[0], c[1] or "", c[2])):
        name, pid, mode = case
        program = programs[name]
        outcome = outcomes[case] = Outcome(program, pid, mode)
        key = (name, pid)
        if key not in entries:
            dest = tmp / "projects" / (pid or ORIGINAL) / name.replace("/", "_")
            try:
                entries[key] = _copy(program, dest) if pid is None else migrate(program, pid, dest)
            except Exception as exc:  # reported by the test of this case
                outcome.error = f"migration failed: {exc}"
                entries[key] = Path()
                continue
            install_fake_azure(dest)
        if entries[key] == Path():
            outcome.error = "migration failed (see the first case of this program and provider)"
            continue
        outcome.entry = entries[key]
        unset = (PROVIDERS[pid].key_env,) if mode == UNSET and pid else ()
        env = program.oracle().env((*unset, *program.drop))
        # One batch per SDK flavour and per value of the variables the SDK reads at import.
        import_env = tuple(sorted((k, v) for k, v in env.items() if k.startswith(("OPENAI", "AZURE"))))
        jobs.setdefault((program.sdk, program.preload, import_env), []).append(Job(_job_name(case), entries[key], env))
    for n, ((sdk, preload, _), batch) in enumerate(sorted(jobs.items())):
        results = run_batch(
            batch,
            tmp_path=tmp / "runs" / f"{sdk}-{n}",
            sdk=sdk if sdk in ("v0", "v1") else "v1",
            preload=preload,
            python=pythons.get(sdk),
        )
        for job in batch:
            outcomes[_case_of(job.name)].result = results[job.name]
    return outcomes


def _job_name(case: Case) -> str:
    name, pid, mode = case
    return f"{name}|{pid or ''}|{mode}"


def _case_of(job_name: str) -> Case:
    name, pid, mode = job_name.split("|")
    return (name, pid or None, mode)


def selected_cases(request: pytest.FixtureRequest) -> List[Case]:
    """The cases of the tests of `request`'s module that this pytest run will execute.

    A test takes part by having a `program` parameter (and `provider_id` and `mode` unless it
    runs the unmigrated original).
    """
    cases: List[Case] = []
    for item in request.session.items:
        if getattr(item, "module", None) is not request.module or not hasattr(item, "callspec"):
            continue
        params = item.callspec.params
        if "program" in params:
            cases.append((params["program"], params.get("provider_id"), params.get("mode", ORIGINAL)))
    return cases
