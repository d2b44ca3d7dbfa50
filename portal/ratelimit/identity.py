"""Who a request is counted for: a user, a client address or an account name."""

import ipaddress
import unicodedata
from dataclasses import dataclass
from typing import Literal

from django.conf import settings
from django.http import HttpRequest


@dataclass(frozen=True, slots=True)
class Ident:
    type: Literal["anonymous", "authenticated"]
    id: int | str

    @property
    def key(self) -> str:
        prefix = "user" if self.type == "authenticated" else "ip"
        return f"{prefix}:{self.id}"


def request_ident(request: HttpRequest) -> Ident:
    """Return the identity a request is counted for.

    A bearer token resolved by the OAuth middleware (``request.oauth_token``)
    counts for its user, then a signed-in session user; anything else, an invalid
    token included, counts for the client address.
    """
    token = getattr(request, "oauth_token", None)
    if token is not None and getattr(token, "user_id", None) is not None:
        return Ident("authenticated", token.user_id)

    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return Ident("authenticated", user.pk)

    return Ident("anonymous", client_ip(request))


def client_ip(request: HttpRequest) -> str:
    """Return the client address, trusting ``THROTTLING_TRUSTED_PROXIES`` proxies.

    With N trusted proxies in front, the last proxy is ``REMOTE_ADDR`` and the
    client is the N-th address from the right of ``X-Forwarded-For``; entries
    further left are written by the client and never trusted.
    """
    remote = request.META.get("REMOTE_ADDR", "") or "unknown"
    proxies = settings.THROTTLING_TRUSTED_PROXIES
    if proxies <= 0:
        return remote

    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    if not hops:
        return remote

    candidate = hops[-proxies] if len(hops) >= proxies else hops[0]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def account_ident(name: str) -> str:
    """Return the identity key of an account name as typed in a sign-in form."""
    normalised = unicodedata.normalize("NFKC", name).strip().casefold()
    return f"account:{normalised}"
