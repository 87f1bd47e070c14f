"""Development against a local Ollama server: not affected by the restrictions, never rewritten."""
from openai import OpenAI

local = OpenAI(base_url="http://localhost:11434/v1", api_key="ollama")


def ping() -> str:
    return local.chat.completions.create(model="llama3.1", messages=[]).choices[0].message.content or ""
