"""Who a request is counted for: a user, a client address or an account name."""

import unicodedata
from dataclasses import dataclass
from typing import Literal

from django.http import HttpRequest

from portal.net import client_ip
from portal.oauth.bearer import resolve

__all__ = ["Ident", "account_ident", "client_ip", "request_ident"]


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

    A bearer token (``portal.oauth.bearer.resolve``)
    counts for its user, then a signed-in session user; anything else, an invalid
    token included, counts for the client address.
    """
    token = resolve(request)
    if token is not None and getattr(token, "user_id", None) is not None:
        return Ident("authenticated", token.user_id)

    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return Ident("authenticated", user.pk)

    return Ident("anonymous", client_ip(request))


def account_ident(name: str) -> str:
    """Return the identity key of an account name as typed in a sign-in form."""
    normalised = unicodedata.normalize("NFKC", name).strip().casefold()
    return f"account:{normalised}"
