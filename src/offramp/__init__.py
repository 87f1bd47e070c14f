"""offramp: move Python code off region-blocked OpenAI / Azure OpenAI endpoints.

Kept import-free on purpose: `offramp --version` and the pre-commit hook start-up must not
pay for libcst or rich until a command actually needs them.
"""

__version__ = "0.1.0"
# Where the source, docs/rules.md (rule links) and releases live.
REPOSITORY = "https://github.com/offramp-dev/offramp"

__all__ = ["REPOSITORY", "__version__"]
