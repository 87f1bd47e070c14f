"""The chat client: a class holding an OpenAI client, used from several methods."""
from __future__ import annotations

from openai import OpenAI

from chatbot import settings


class ChatService:
    def __init__(self, model: str = settings.CHAT_MODEL) -> None:
        self.client = OpenAI(api_key=settings.OPENAI_API_KEY, organization="org-demo", timeout=30)
        self.model = model

    def reply(self, question: str) -> str:
        response = self.client.chat.completions.create(
            model="gpt-4o",
            messages=[{"role": "user", "content": question}],
            temperature=0.2,
        )
        return response.choices[0].message.content or ""

    def classify(self, text: str) -> str:
        response = self.client.with_options(max_retries=1).chat.completions.create(
            model="gpt-4o-mini",
            messages=[{"role": "system", "content": "Answer in JSON."}, {"role": "user", "content": text}],
            response_format={"type": "json_object"},
            logprobs=True,
        )
        return response.choices[0].message.content or ""
