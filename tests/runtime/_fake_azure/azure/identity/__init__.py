"""Fake ``azure.identity`` for the credential-flow oracle (tests/runtime/oracle.py).

Every credential returns the same token, read from ``$OFFRAMP_ORACLE_AAD_TOKEN`` when it is
asked for (as the real library fetches it then), so the oracle can recognise an Azure AD
token wherever a program sends it. Standard library only; Python 3.7+.
"""

import os
import time

from azure.core.credentials import AccessToken

__all__ = [
    "AzureCliCredential",
    "ChainedTokenCredential",
    "ClientSecretCredential",
    "DefaultAzureCredential",
    "EnvironmentCredential",
    "InteractiveBrowserCredential",
    "ManagedIdentityCredential",
    "get_bearer_token_provider",
]


def _token():
    return os.environ["OFFRAMP_ORACLE_AAD_TOKEN"]


class _Credential:
    def __init__(self, *args, **kwargs):
        pass

    def get_token(self, *scopes, **kwargs):
        return AccessToken(_token(), int(time.time()) + 3600)

    def close(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class DefaultAzureCredential(_Credential):
    pass


class ManagedIdentityCredential(_Credential):
    pass


class ClientSecretCredential(_Credential):
    pass


class AzureCliCredential(_Credential):
    pass


class EnvironmentCredential(_Credential):
    pass


class InteractiveBrowserCredential(_Credential):
    pass


class ChainedTokenCredential(_Credential):
    pass


def get_bearer_token_provider(credential, *scopes):
    def provider():
        return credential.get_token(*scopes).token

    return provider
