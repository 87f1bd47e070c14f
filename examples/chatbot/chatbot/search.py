"""Embeddings through an async client built by a factory."""
import os

import openai


def make_client() -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(base_url=os.getenv("OPENAI_BASE_URL", "https://api.openai.com/v1"))


async def embed(texts: list) -> list:
    client = make_client()
    params = {"model": "text-embedding-3-small", "input": texts}
    result = await client.embeddings.create(**params)
    return [d.embedding for d in result.data]
