"""The rule codes, as named constants: one per rule of rules/catalog.toml, named after the rule.

A code written as a string literal in a dozen modules is a typo nobody sees (`"OFR304"` for
`"OFR303"` reports the wrong rule, or none when the code is not selected); a constant that is not
a code of the catalogue fails the import checks of every module that uses it, and
tests/test_rule_codes.py keeps this list and the catalogue equal, name for name.
"""

from __future__ import annotations

SYNTAX_ERROR = "OFR000"
UNREADABLE_FILE = "OFR001"
ANALYSIS_FAILED = "OFR002"
FIX_TODO_LEFT = "OFR003"
OPENAI_CLIENT = "OFR101"
AZURE_OPENAI_CLIENT = "OFR102"
MODULE_CLIENT_CONFIG = "OFR103"
MODULE_CLIENT_CALL = "OFR104"
LEGACY_API_CALL = "OFR105"
OPENAI_URL = "OFR106"
BASE_URL_MAY_BE_UNSET = "OFR107"
ASSISTANTS_API_SHUT_DOWN = "OFR108"
OPENAI_MODEL = "OFR201"
AZURE_DEPLOYMENT = "OFR202"
DYNAMIC_MODEL = "OFR203"
MODEL_NOT_SERVED = "OFR204"
MODEL_RETIRED = "OFR205"
OPENAI_ENV_VAR = "OFR301"
HARDCODED_API_KEY = "OFR302"
FOREIGN_CREDENTIAL = "OFR303"
KEY_MAY_BE_UNSET = "OFR304"
UNSUPPORTED_ENDPOINT = "OFR401"
UNSUPPORTED_PARAMETER = "OFR402"
UNMAPPED_MODEL = "OFR403"
EMBEDDING_REINDEX = "OFR404"
REASONING_CONTROL = "OFR405"
REASONING_NOT_REPLAYED = "OFR406"
STRUCTURED_OUTPUT = "OFR407"
REQUEST_LIMIT = "OFR408"
AZURE_ON_YOUR_DATA = "OFR409"
