"""Generate large inputs for the cost-per-line benchmark (`bench/lines.py`): SDK modules and config files.

    python bench/gen_large.py python 20000 > big.py
    python bench/gen_large.py yaml 10 > big.yaml     # megabytes for yaml / json

The Python module is what a big application file that imports the SDK looks like: many clients
(OpenAI, AsyncOpenAI, AzureOpenAI, module-level v0 configuration, LangChain), calls in functions,
methods on `self.client`, models in constants, dicts, defaults and `**kwargs`, environment reads,
URLs, helpers and plain code in between. Each block is drawn from ~20 shapes with varied names and
values (seeded, so the same size gives the same file), so no analysis can win by memoising one
repeated line. The config files are a LiteLLM-proxy style model list (YAML) and a settings tree
(JSON) with models, URLs and environment references spread through ordinary settings.
"""

from __future__ import annotations

import json
import random
import sys
from typing import Callable, List

MODELS = (
    "gpt-4o",
    "gpt-4o-mini",
    "gpt-4-turbo",
    "gpt-3.5-turbo",
    "o3-mini",
    "o1",
    "gpt-4.1",
    "text-embedding-3-small",
    "text-embedding-ada-002",
    "gpt-4",
)
CHAT_MODELS = MODELS[:7]
EMBED_MODELS = MODELS[7:9]
ENV_KEYS = ("OPENAI_API_KEY", "AZURE_OPENAI_API_KEY", "OPENAI_BASE_URL", "AZURE_OPENAI_ENDPOINT", "OPENAI_ORG_ID")
URLS = (
    "https://api.openai.com/v1",
    "https://api.openai.com/v1/chat/completions",
    "https://contoso-{n}.openai.azure.com/",
    "https://api.openai.com/v1/embeddings",
)
WORDS = ("order", "user", "ticket", "report", "invoice", "summary", "review", "query", "doc", "item", "note", "task")
HEADER = '''"""Generated for offramp's cost-per-line benchmark: a large module that uses the OpenAI SDK."""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

import openai
from openai import AsyncOpenAI, AzureOpenAI, OpenAI
from openai import OpenAI as BaseClient
from langchain_openai import ChatOpenAI, OpenAIEmbeddings

log = logging.getLogger(__name__)
'''


class Gen:
    def __init__(self, seed: int) -> None:
        self.r = random.Random(seed)
        self.n = 0

    def name(self, stem: str) -> str:
        self.n += 1
        return f"{stem}_{self.r.choice(WORDS)}_{self.n}"

    def model(self, kind: str = "chat") -> str:
        return self.r.choice(EMBED_MODELS if kind == "embed" else CHAT_MODELS)

    def url(self) -> str:
        return self.r.choice(URLS).format(n=self.n)

    def env(self) -> str:
        key = self.r.choice(ENV_KEYS)
        return self.r.choice((f'os.environ["{key}"]', f'os.getenv("{key}")', f'os.environ.get("{key}", "")'))

    # Each shape returns a block of lines; about 20 of them, mixed.
    def client_module(self) -> List[str]:
        c = self.name("client")
        return [f"{c} = OpenAI(api_key={self.env()}, timeout={self.r.randint(10, 90)})", ""]

    def azure_client(self) -> List[str]:
        c = self.name("azure")
        return [
            f"{c} = AzureOpenAI(",
            f"    api_key={self.env()},",
            f'    api_version="2024-0{self.r.randint(2, 8)}-01-preview",',
            f'    azure_endpoint="{URLS[2].format(n=self.n)}",',
            ")",
            "",
        ]

    def factory(self) -> List[str]:
        f = self.name("make_client")
        return [
            f"def {f}(base_url: Optional[str] = None) -> OpenAI:",
            f'    """Client for the {self.r.choice(WORDS)} service."""',
            f'    return OpenAI(base_url=base_url or "{self.url()}", api_key={self.env()})',
            "",
            "",
        ]

    def chat_call(self) -> List[str]:
        f, client = self.name("ask"), self.name("client")
        return [
            f"def {f}(prompt: str, temperature: float = 0.{self.r.randint(0, 9)}) -> str:",
            f"    {client} = OpenAI()",
            f"    response = {client}.chat.completions.create(",
            f'        model="{self.model()}",',
            '        messages=[{"role": "user", "content": prompt}],',
            "        temperature=temperature,",
            f"        max_tokens={self.r.choice((256, 512, 1024, 4096))},",
            "    )",
            '    return response.choices[0].message.content or ""',
            "",
            "",
        ]

    def constant_model(self) -> List[str]:
        const, f = self.name("MODEL").upper(), self.name("complete")
        return [
            f'{const} = "{self.model()}"',
            "",
            "",
            f"def {f}(text: str, client: OpenAI) -> str:",
            f'    out = client.chat.completions.create(model={const}, messages=[{{"role": "user", "content": text}}])',
            "    return out.choices[0].message.content",
            "",
            "",
        ]

    def kwargs_dict(self) -> List[str]:
        d, f = self.name("params"), self.name("run")
        return [
            f"{d} = {{",
            f'    "model": "{self.model()}",',
            f'    "temperature": 0.{self.r.randint(0, 9)},',
            f'    "seed": {self.r.randint(1, 1000)},',
            "}",
            "",
            "",
            f"def {f}(messages: List[Dict[str, str]]) -> Any:",
            f"    return OpenAI().chat.completions.create(messages=messages, **{d})",
            "",
            "",
        ]

    def service_class(self) -> List[str]:
        cls = self.name("Service").title().replace("_", "")
        m1, m2 = self.name("answer"), self.name("embed")
        return [
            f"class {cls}:",
            f'    """Talks to the model for {self.r.choice(WORDS)}s."""',
            "",
            f'    default_model = "{self.model()}"',
            "",
            "    def __init__(self, api_key: Optional[str] = None) -> None:",
            f"        self.client = OpenAI(api_key=api_key or {self.env()})",
            "        self.history: List[Dict[str, str]] = []",
            "",
            f"    def {m1}(self, question: str) -> str:",
            '        self.history.append({"role": "user", "content": question})',
            "        reply = self.client.chat.completions.create(model=self.default_model, messages=self.history)",
            "        text = reply.choices[0].message.content",
            '        self.history.append({"role": "assistant", "content": text})',
            "        return text",
            "",
            f"    def {m2}(self, texts: List[str]) -> List[List[float]]:",
            f'        out = self.client.embeddings.create(model="{self.model("embed")}", input=texts)',
            "        return [d.embedding for d in out.data]",
            "",
            "",
        ]

    def async_call(self) -> List[str]:
        f, c = self.name("astream"), self.name("aclient")
        return [
            f'{c} = AsyncOpenAI(base_url="{self.url()}")',
            "",
            "",
            f"async def {f}(prompt: str) -> str:",
            "    parts = []",
            f"    stream = await {c}.chat.completions.create(",
            f'        model="{self.model()}", messages=[{{"role": "user", "content": prompt}}], stream=True',
            "    )",
            "    async for chunk in stream:",
            '        parts.append(chunk.choices[0].delta.content or "")',
            '    return "".join(parts)',
            "",
            "",
        ]

    def legacy(self) -> List[str]:
        f = self.name("legacy")
        return [
            f"def {f}(prompt: str) -> str:",
            f"    openai.api_key = {self.env()}",
            f'    r = openai.ChatCompletion.create(model="{self.model()}", '
            'messages=[{"role": "user", "content": prompt}])',
            '    return r["choices"][0]["message"]["content"]',
            "",
            "",
        ]

    def langchain(self) -> List[str]:
        llm, emb = self.name("llm"), self.name("embeddings")
        return [
            f'{llm} = ChatOpenAI(model="{self.model()}", temperature=0, api_key={self.env()})',
            f'{emb} = OpenAIEmbeddings(model="{self.model("embed")}")',
            "",
        ]

    def with_options(self) -> List[str]:
        f = self.name("retrying")
        return [
            f"def {f}(client: OpenAI, prompt: str) -> str:",
            f"    fast = client.with_options(max_retries={self.r.randint(1, 5)}, timeout=20.0)",
            f'    r = fast.responses.create(model="{self.model()}", input=prompt)',
            "    return r.output_text",
            "",
            "",
        ]

    def config_dataclass(self) -> List[str]:
        cls = self.name("Settings").title().replace("_", "")
        return [
            "@dataclass",
            f"class {cls}:",
            f'    model: str = "{self.model()}"',
            f'    base_url: str = "{self.url()}"',
            f'    api_key: str = field(default_factory=lambda: os.getenv("{self.r.choice(ENV_KEYS)}", ""))',
            f"    retries: int = {self.r.randint(0, 5)}",
            "",
            "    def client(self) -> OpenAI:",
            "        return OpenAI(base_url=self.base_url, api_key=self.api_key, max_retries=self.retries)",
            "",
            "",
        ]

    def model_table(self) -> List[str]:
        t = self.name("MODELS").upper()
        rows = [f'    "{self.r.choice(WORDS)}-{i}": "{self.model()}",' for i in range(self.r.randint(3, 8))]
        return [f"{t} = {{", *rows, "}", "", ""]

    def dynamic_model(self) -> List[str]:
        f = self.name("pick")
        return [
            f"def {f}(kind: str, client: BaseClient) -> Any:",
            f'    model = os.getenv("MODEL_{self.n}", "{self.model()}")',
            '    if kind == "fast":',
            f'        model = "{self.model()}"',
            '    return client.chat.completions.create(model=model, messages=[{"role": "system", "content": kind}])',
            "",
            "",
        ]

    def plain_code(self) -> List[str]:
        """Ordinary code with no SDK use: most lines of a real file are like this."""
        f, w = self.name("normalise"), self.r.choice(WORDS)
        n = self.r.randint(2, 6)
        body = [f'    if not value.get("{w}_{i}"):\n        value["{w}_{i}"] = {i * 3}' for i in range(n)]
        return [
            f"def {f}(value: Dict[str, Any]) -> Dict[str, Any]:",
            f'    """Fill in the {w} defaults."""',
            *"\n".join(body).split("\n"),
            f'    log.debug("normalised %s", value.get("{w}_id"))',
            "    return {k: v for k, v in sorted(value.items()) if v is not None}",
            "",
            "",
        ]

    def plain_class(self) -> List[str]:
        cls = self.name("Record").title().replace("_", "")
        fields = [f"    {self.r.choice(WORDS)}_{i}: {self.r.choice(('int', 'str', 'float'))}" for i in range(4)]
        return [
            "@dataclass",
            f"class {cls}:",
            *fields,
            "",
            "    def to_json(self) -> str:",
            "        return json.dumps(self.__dict__, sort_keys=True)",
            "",
            "",
        ]

    def url_literal(self) -> List[str]:
        f = self.name("endpoint")
        return [f"def {f}() -> str:", f'    return "{self.url()}"', "", ""]

    def azure_call(self) -> List[str]:
        f = self.name("deploy")
        return [
            f"def {f}(client: AzureOpenAI, text: str) -> str:",
            f'    r = client.chat.completions.create(model="prod-{self.r.choice(WORDS)}-{self.n}", '
            'messages=[{"role": "user", "content": text}])',
            "    return r.choices[0].message.content",
            "",
            "",
        ]


def python_module(lines: int, seed: int = 12) -> str:
    g = Gen(seed)
    shapes: List[Callable[[], List[str]]] = [
        g.client_module,
        g.azure_client,
        g.factory,
        g.chat_call,
        g.constant_model,
        g.kwargs_dict,
        g.service_class,
        g.async_call,
        g.legacy,
        g.langchain,
        g.with_options,
        g.config_dataclass,
        g.model_table,
        g.dynamic_model,
        g.url_literal,
        g.azure_call,
    ]
    # Plain code weighs as much as all SDK shapes together, as in a real application module.
    weights = [1] * len(shapes) + [8, 4]
    shapes += [g.plain_code, g.plain_class]
    out = [*HEADER.splitlines(), "", ""]
    while len(out) < lines:
        out.extend(g.r.choices(shapes, weights)[0]())
    return _cut(out, lines)


def _cut(out: List[str], lines: int) -> str:
    """End at a top-level boundary at or after `lines` so the module parses."""
    i = lines
    while i < len(out) and out[i - 1].strip() != "":
        i += 1
    return "\n".join(out[:i]).rstrip() + "\n"


def yaml_config(megabytes: float, seed: int = 12) -> str:
    g = Gen(seed)
    parts = ["# Generated for offramp's cost-per-line benchmark: a LiteLLM-proxy style config.", "model_list:"]
    size = sum(len(p) + 1 for p in parts)
    limit = int(megabytes * 1024 * 1024)
    while size < limit:
        m = g.model()
        block = [
            f"  - model_name: {g.r.choice(WORDS)}-{g.n}",
            "    litellm_params:",
            f"      model: openai/{m}" if g.r.random() < 0.5 else f"      model: azure/prod-{g.r.choice(WORDS)}-{g.n}",
            f"      api_base: {g.url()}",
            f"      api_key: os.environ/{g.r.choice(ENV_KEYS)}",
            f"      timeout: {g.r.randint(10, 600)}",
            "    model_info:",
            f'      description: "{g.r.choice(WORDS)} {g.r.choice(WORDS)} route number {g.n}"',
            f"      max_tokens: {g.r.choice((4096, 8192, 128000))}",
        ]
        g.n += 1
        text = "\n".join(block)
        parts.append(text)
        size += len(text) + 1
    return "\n".join(parts) + "\n"


def json_config(megabytes: float, seed: int = 12) -> str:
    g = Gen(seed)
    services = []
    size, limit = 0, int(megabytes * 1024 * 1024)
    while size < limit:
        svc = {
            "name": f"{g.r.choice(WORDS)}-{g.n}",
            "llm": {
                "model": g.model(),
                "base_url": g.url(),
                "api_key_env": g.r.choice(ENV_KEYS),
                "temperature": g.r.randint(0, 10) / 10,
            },
            "embedding": {"model": g.model("embed"), "dimensions": g.r.choice((256, 1536, 3072))},
            "retries": g.r.randint(0, 5),
            "tags": [g.r.choice(WORDS) for _ in range(3)],
        }
        g.n += 1
        services.append(svc)
        one = json.dumps(svc, indent=2)
        size += len(one) + 4 * (one.count("\n") + 1) + 2  # indented two levels deeper in the file
    return json.dumps({"version": 3, "services": services}, indent=2) + "\n"


def main(argv: List[str]) -> int:
    kind, amount = argv[1], float(argv[2])
    make = {
        "python": lambda: python_module(int(amount)),
        "yaml": lambda: yaml_config(amount),
        "json": lambda: json_config(amount),
    }
    sys.stdout.write(make[kind]())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
