"""Answers to frequent questions, through the search module's client factory and the settings module."""
from chatbot import settings
from chatbot.search import make_client


async def answer(question: str) -> str:
    client = make_client()
    response = await client.chat.completions.create(
        model=settings.CHEAP_MODEL,
        messages=[{"role": "user", "content": question}],
    )
    return response.choices[0].message.content or ""
