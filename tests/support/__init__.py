"""Reusable test doubles (tests/support/fake_provider.py: an OpenAI-compatible server on 127.0.0.1)."""
