"""offramp: move Python code off region-blocked OpenAI / Azure OpenAI endpoints.

Kept import-free on purpose: `offramp --version` and the pre-commit hook start-up must not
pay for libcst or rich until a command actually needs them.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
