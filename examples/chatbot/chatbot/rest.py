"""Direct REST calls without the SDK; the model comes from the settings module."""
import os

import requests

from chatbot.settings import CHAT_MODEL

API_URL = "https://api.openai.com/v1/chat/completions"


def ask(question: str) -> dict:
    headers = {"Authorization": f"Bearer {os.environ['OPENAI_API_KEY']}"}
    payload = {"model": CHAT_MODEL, "messages": [{"role": "user", "content": question}]}
    return requests.post(API_URL, headers=headers, json=payload, timeout=60).json()
