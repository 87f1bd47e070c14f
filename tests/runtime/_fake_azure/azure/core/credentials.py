"""Fake ``azure.core.credentials`` for the credential-flow oracle: only ``AccessToken``."""

from collections import namedtuple

AccessToken = namedtuple("AccessToken", ["token", "expires_on"])
