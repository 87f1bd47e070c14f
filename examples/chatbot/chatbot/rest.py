"""Direct REST calls without the SDK."""
import os

import requests

API_URL = "https://api.openai.com/v1/chat/completions"


def ask(question: str) -> dict:
    headers = {"Authorization": f"Bearer {os.environ['OPENAI_API_KEY']}"}
    payload = {"model": "gpt-4o", "messages": [{"role": "user", "content": question}]}
    return requests.post(API_URL, headers=headers, json=payload, timeout=60).json()
