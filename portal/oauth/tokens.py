"""Token strings: generation with a public prefix per kind, and digests at rest.

A token is ``<prefix><random>``; only its SHA-256 digest is stored. The prefix and
the first four random characters form the token's public prefix, which the pages,
the admin and the audit log may show: it identifies a token without revealing it.
Secret scanners can look for the kind prefixes:

- ``pod_at_``: an access token issued through the OAuth flow;
- ``pod_rt_``: a refresh token;
- ``pod_pt_``: a personal application token issued to an application's owner.
"""

import hashlib
import secrets
from typing import Any

ACCESS_PREFIX = "pod_at_"
REFRESH_PREFIX = "pod_rt_"
PERSONAL_PREFIX = "pod_pt_"
PUBLIC_RANDOM_CHARS = 4
# 32 random bytes, 43 URL-safe characters: 256 bits of entropy (RFC 6750 §5.2).
RANDOM_BYTES = 32


def digest(raw: str) -> str:
    """Return the hex SHA-256 digest under which a token or code is stored."""
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def generate(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(RANDOM_BYTES)


def public_prefix(raw: str) -> str:
    """Return the part of a token that may be shown: kind prefix and 4 chars."""
    for prefix in (ACCESS_PREFIX, REFRESH_PREFIX, PERSONAL_PREFIX):
        if raw.startswith(prefix):
            return raw[: len(prefix) + PUBLIC_RANDOM_CHARS]
    return ""


def generate_access_token(request: Any, *args: Any, **kwargs: Any) -> str:
    """Generator for oauthlib's bearer tokens (``ACCESS_TOKEN_GENERATOR``)."""
    return generate(ACCESS_PREFIX)


def generate_refresh_token(request: Any, *args: Any, **kwargs: Any) -> str:
    """Generator for oauthlib's refresh tokens (``REFRESH_TOKEN_GENERATOR``)."""
    return generate(REFRESH_PREFIX)
