"""Old code still pinned to openai==0.28."""
import openai

openai.api_key = "sk-demo1234567890abcdefghijABCD"


def complete(prompt: str) -> str:
    result = openai.ChatCompletion.create(model="gpt-3.5-turbo", messages=[{"role": "user", "content": prompt}])
    return result["choices"][0]["message"]["content"]
