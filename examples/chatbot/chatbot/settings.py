"""Configuration read from the environment."""
import os

OPENAI_API_KEY = os.environ.get("OPENAI_API_KEY", "")
CHAT_MODEL = "gpt-4o"
CHEAP_MODEL = "gpt-4o-mini"
EMBEDDING_MODEL = "text-embedding-3-small"
AZURE_ENDPOINT = os.getenv("AZURE_OPENAI_ENDPOINT", "https://contoso.openai.azure.com")
