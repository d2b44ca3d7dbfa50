"""The one bearer-token path: parse the header, find the token, check it.

Every kind of token (access, personal) is found here, by digest, in one query
that also brings its user and application. The API's authentication and the
rate limiter read what ``BearerTokenMiddleware`` found.
"""

import re
from collections.abc import Callable
from datetime import timedelta

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from portal.oauth import tokens
from portal.oauth.models import AccessToken

# RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
_B64TOKEN = re.compile(r"^[A-Za-z0-9\-._~+/]+=*$")
MAX_TOKEN_LENGTH = 256
LAST_USED_INTERVAL = timedelta(minutes=1)


class BearerError(ValueError):
    """The Authorization header names Bearer but carries no usable token."""


def parse_authorization(header: str | None) -> str | None:
    """Return the bearer token of an Authorization header, None without one.

    Raise BearerError for a Bearer header that is malformed (RFC 6750 §2.1).
    Other schemes (Basic, for instance) are not bearer headers: None.
    """
    if not header:
        return None
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    value = value.strip()
    if not value or " " in value or len(value) > MAX_TOKEN_LENGTH:
        raise BearerError("malformed")
    if not _B64TOKEN.match(value):
        raise BearerError("malformed")
    return value


def find_access_token(raw: str) -> AccessToken | None:
    """Return the token row for a raw token, whatever its state, or None."""
    if not raw or len(raw) > MAX_TOKEN_LENGTH:
        return None
    return (
        AccessToken.objects.select_related("user", "application")
        .filter(token_checksum=tokens.digest(raw))
        .first()
    )


def usable(token: AccessToken | None) -> bool:
    """Tell whether a token may authenticate a request right now."""
    if token is None or not token.is_valid():
        return False
    if token.user is None or not token.user.is_active:
        return False
    application = token.application
    return application is None or application.disabled_at is None


def touch(token: AccessToken, ip: str | None) -> None:
    """Record when and from where a token was used, at most once a minute."""
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_INTERVAL:
        return

    AccessToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_INTERVAL)
    ).update(last_used_at=now, last_used_ip=ip)
    token.last_used_at = now
    token.last_used_ip = ip


class BearerTokenMiddleware:
    """Resolve ``Authorization: Bearer`` once per request.

    Sets ``request.oauth_token`` to the usable token or None, and
    ``request.bearer_error`` to ``"invalid_token"`` or ``"invalid_request"`` when
    a Bearer header was sent but cannot authenticate. Tokens in the query string
    or the body are never read (RFC 9700 §4.3.2 and RFC 6750 §2).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.oauth_token = None
        request.bearer_error = None
        try:
            raw = parse_authorization(request.META.get("HTTP_AUTHORIZATION"))
        except BearerError:
            request.bearer_error = "invalid_request"
            raw = None

        if raw is not None:
            token = find_access_token(raw)
            if usable(token):
                request.oauth_token = token
                touch(token, request.META.get("REMOTE_ADDR"))
            else:
                request.bearer_error = "invalid_token"

        return self.get_response(request)
