"""Recorded runs of migrated programs whose framework is too heavy to install in CI.

semantic-kernel, haystack-ai and crewai take 87-252 s and 200 MB-1 GB each to install (CASES), more than
the CI budget for the whole runtime suite. So each migrated program (what `fix` writes) was run once under
the harness with the real library, and what it put on the wire is kept in tests/fixtures/frameworks/recorded/
with a digest of the program text. The test fixes the program again and checks it is still, byte for
byte, the program that was recorded, then judges the recorded requests.

Re-record (after a fix change makes the digest differ) with the library in a venv of its own:
    python -m pip install semantic-kernel==1.45.0   # in that venv (the pins in CASES)
    OFFRAMP_RECORD_PYTHON=/path/to/venv/bin/python PYTHONPATH=src python tests/runtime/recorded.py semantic-kernel
(the argument: a pin's or a program's beginning, `haystack_embedders` for one program of a library).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Dict, List, Tuple

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
RECORDED = FIXTURES / "frameworks" / "recorded"
# (program, library pin, providers, requests it sends): each provider's recording is
# `<program stem>.<provider>.json`. Install times measured 2026-12-05 on the shared machine: semantic-kernel
# 91 s / 516 MB, haystack-ai 87 s / 201 MB, crewai 252 s / 1014 MB.
CASES: List[Tuple[str, str, Tuple[str, ...], int]] = [
    # (not semantic_kernel.py: the program would import itself)
    ("kernel_app.py", "semantic-kernel==1.45.0", ("qwen", "glm"), 3),
    ("haystack_app.py", "haystack-ai==3.4.1", ("deepseek", "kimi"), 2),
    ("haystack_embedders_app.py", "haystack-ai==3.4.1", ("qwen", "glm"), 2),
    # Haystack 2.x's generators (OpenAIGenerator, AzureOpenAIGenerator; gone in 3.x): 2.31.0, the last 2.x
    ("haystack2_app.py", "haystack-ai==2.31.0", ("deepseek", "kimi"), 2),
    ("crewai_app.py", "crewai==1.15.30", ("deepseek", "glm"), 2),
    # mem0ai 2.2.1: 225 MB (qdrant-client, grpcio, sqlalchemy), installed in 70 s on 2026-12-05
    ("mem0_app.py", "mem0ai==2.2.1", ("qwen", "glm"), 3),
    # Measured 2026-12-06 with a warm pip cache, on top of the runtime venvs' ~60 s budget already spent:
    # chromadb 1.5.9 517 MB (onnxruntime, grpcio, kubernetes) in 50 s, and it needs openai beside it;
    # dspy-ai 2.4.17 (the last with dspy.OpenAI) 476 MB (datasets, pandas, optuna) in 47 s.
    ("chroma_app.py", "chromadb==1.5.9 openai==2.54.0", ("qwen", "glm"), 5),
    # the collection reopened in another module than the one that builds the function (project/reopens.py)
    ("chroma_project", "chromadb==1.5.9 openai==2.54.0", ("qwen", "glm"), 2),
    ("dspy_legacy_app.py", "dspy-ai==2.4.17", ("deepseek", "kimi"), 3),
    # agentscope 0.1.6 (flask, dashscope, pillow, ...; it imports tqdm without declaring it) and lagent 0.2.4
    # (jupyter, streamlit, ...; cachetools, undeclared too), installed 2026-12-06 under load in 5-7 min, 469 / 762 MB:
    # each far over the runtime suite's install budget. lagent's GPTAPI sends only models named gpt* / qwen* /
    # internlm* (0.5): Qwen is the one provider whose models it takes.
    ("agentscope_app.py", "agentscope==0.1.6 openai==3.63.0 tqdm==4.70.1", ("qwen", "glm"), 2),
    ("lagent_app.py", "lagent==0.2.4 cachetools==8.0.3", ("qwen",), 1),
    # promptflow-core 1.18.5 (fastapi, flask, opentelemetry): 22 s / 110 MB alone, +30 s on the wrappers venv
    # under load; DSPy 3 took the runtime suite's remaining install budget. Its .prompty files (one Azure,
    # one OpenAI) move on their own, and two model configurations built in main.py.
    ("promptflow_app", "promptflow-core==1.18.5", ("qwen", "kimi"), 4),
]
ENV = {
    "OPENAI_API_KEY": "sk-old",
    "AZURE_OPENAI_API_KEY": "azure-old",
    "AZURE_OPENAI_ENDPOINT": "https://contoso.openai.azure.com/",
    # the frameworks' own usage telemetry (not OpenAI, no key) is off, so only model requests are left
    "CREWAI_DISABLE_TELEMETRY": "true",
    "OTEL_SDK_DISABLED": "true",
    "HAYSTACK_TELEMETRY_ENABLED": "False",
    "LITELLM_LOCAL_MODEL_COST_MAP": "True",
    "MEM0_TELEMETRY": "False",
    "ANONYMIZED_TELEMETRY": "False",  # chroma's
}


def migrated(program: str, provider_id: str, work: Path) -> Tuple[Path, str]:
    """The program fixed for the provider, in `work`; and the provider's key variable."""
    from offramp.engine import resolve_provider
    from offramp.fixes.runner import fix_files
    from offramp.settings import Settings

    source = FIXTURES / "frameworks" / program
    if source.is_dir():  # a project (its entry point main.py): every file of it is fixed
        shutil.copytree(source, work, dirs_exist_ok=True)
        target = work / "main.py"
    else:
        work.mkdir(parents=True, exist_ok=True)
        target = work / program
        shutil.copy(source, target)
    settings = Settings(root=work)
    provider = resolve_provider(provider_id, settings)
    assert provider is not None
    results = fix_files(sorted(work.iterdir()), settings, provider, jobs=1)
    assert all(r.error is None for r in results), [r.error for r in results]
    return target, provider.key_env


def digest(path: Path) -> str:
    """Of the program, or of every file of a project beside its main.py."""
    if path.name != "main.py":
        return hashlib.sha256(path.read_bytes()).hexdigest()
    h = hashlib.sha256()
    for p in sorted(f for f in path.parent.iterdir() if f.is_file()):
        h.update(p.name.encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


def record(python: str, only: str = "") -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import harness

    for program, pin, providers, _ in CASES:
        if only and not (pin.startswith(only) or program.startswith(only)):
            continue
        for provider_id in providers:
            with tempfile.TemporaryDirectory() as tmp:
                target, key_env = migrated(program, provider_id, Path(tmp) / "project")
                env = {**ENV, key_env: f"key-{provider_id}"}
                run = harness.run_program_full(target, env=env, tmp_path=Path(tmp) / "run", python=python, timeout=300)
                out: Dict[str, object] = {
                    "library": pin,
                    "program_sha256": digest(target),
                    "env": sorted(env),
                    "requests": [
                        {
                            "method": r.method,
                            "url": r.url,
                            "authorization": r.headers.get("authorization"),
                            "api-key": r.headers.get("api-key"),
                            "model": r.json.get("model") if isinstance(r.json, dict) else None,
                        }
                        for r in run.requests
                    ],
                }
                path = RECORDED / f"{Path(program).stem}.{provider_id}.json"  # (a project: its folder's name)
                path.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
                print(f"recorded {path.name}: {len(run.requests)} requests")


if __name__ == "__main__":
    record(os.environ["OFFRAMP_RECORD_PYTHON"], sys.argv[1] if len(sys.argv) > 1 else "")
