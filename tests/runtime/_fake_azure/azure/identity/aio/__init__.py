"""Fake ``azure.identity.aio``: async credentials with the oracle's Azure AD token."""

import os
import time

from azure.core.credentials import AccessToken


class _AsyncCredential:
    def __init__(self, *args, **kwargs):
        pass

    async def get_token(self, *scopes, **kwargs):
        return AccessToken(os.environ["OFFRAMP_ORACLE_AAD_TOKEN"], int(time.time()) + 3600)

    async def close(self):
        pass

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        return False


class DefaultAzureCredential(_AsyncCredential):
    pass


class ManagedIdentityCredential(_AsyncCredential):
    pass


def get_bearer_token_provider(credential, *scopes):
    async def provider():
        return (await credential.get_token(*scopes)).token

    return provider
