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

from portal.net import client_ip
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


_UNPARSED = object()


def resolve(request: HttpRequest) -> AccessToken | None:
    """Return the usable token the request's Bearer header names, or None.

    Resolved once per request and only when asked for, so views that never look
    at the caller (the rate limiter's exempt views, for one) cost nothing. When
    a Bearer header was sent but cannot authenticate, ``bearer_error(request)``
    says why.
    """
    if hasattr(request, "oauth_token"):
        return request.oauth_token

    token = None
    request.bearer_error = None
    raw = getattr(request, "_bearer_raw", _UNPARSED)
    if raw is _UNPARSED:
        raw = _parse(request)
    if raw is not None:
        found = find_access_token(raw)
        if usable(found):
            token = found
            address = client_ip(request)
            touch(found, None if address == "unknown" else address)
        else:
            request.bearer_error = "invalid_token"
    request.oauth_token = token
    return token


def bearer_error(request: HttpRequest) -> str | None:
    """Return ``invalid_request`` or ``invalid_token`` for a refused Bearer header."""
    resolve(request)
    return request.bearer_error


def _parse(request: HttpRequest) -> str | None:
    try:
        raw = parse_authorization(request.META.get("HTTP_AUTHORIZATION"))
    except BearerError:
        raw = None
        request.oauth_token = None
        request.bearer_error = "invalid_request"
    request._bearer_raw = raw
    return raw


class BearerTokenMiddleware:
    """Read ``Authorization: Bearer`` from the header only, never from the query
    string or the body (RFC 9700 §4.3.2, RFC 6750 §2); ``resolve`` finds the
    token when a view or the rate limiter asks for the caller."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        _parse(request)
        return self.get_response(request)
