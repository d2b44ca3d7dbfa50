"""The one bearer-token path: parse the header, find the token, check it.

Every kind of token (access, personal) is found here, by digest, in one query
that also brings its user and checks in SQL that the token is
live (not revoked, not expired, active user, enabled application). That query
is written out once per process rather than built by the ORM on each request:
building and hydrating the ORM query cost several times the query itself (see
docs/performance.md). The API's authentication and the rate limiter both ask
``resolve()``, which reads the header the first time one of them does.
"""

import re
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from django.contrib.auth import get_user_model
from django.db import connections, router
from django.db.models import Field, Q
from django.http import HttpRequest
from django.utils import timezone

from portal.net import client_ip
from portal.oauth import tokens
from portal.oauth.models import AccessToken, Application

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


# The fields the hot path loads; the others stay deferred on the instances.
_TOKEN_FIELDS = {"id", "user_id", "application_id", "scope", "kind", "prefix"}
_USER_FIELDS = {"id", "username", "email", "is_active", "is_staff", "is_superuser"}


@dataclass(frozen=True)
class _LiveTokenQuery:
    sql: str
    token_fields: tuple[str, ...]
    user_fields: tuple[str, ...]
    user_booleans: tuple[bool, ...]


def _selected(model: type, wanted: set[str]) -> list[Field]:
    # Model.from_db takes a subset of fields in the model's own field order.
    return [f for f in model._meta.concrete_fields if f.attname in wanted]


@cache
def _live_token_query(alias: str) -> _LiveTokenQuery:
    user_model = get_user_model()
    quote = connections[alias].ops.quote_name

    def column(model: type, name: str) -> str:
        return quote(model._meta.get_field(name).column)

    token_fields = _selected(AccessToken, _TOKEN_FIELDS)
    user_fields = _selected(user_model, _USER_FIELDS)
    last_used = "t." + column(AccessToken, "last_used_at")
    expires = "t." + column(AccessToken, "expires")
    selected = [
        *(f"t.{quote(field.column)}" for field in token_fields),
        f"({last_used} IS NULL OR {last_used} < %s)",
        *(f"u.{quote(field.column)}" for field in user_fields),
    ]
    # The application is joined only to refuse a disabled one; its row loads
    # on access, which the API's views do not need.
    sql = (
        f"SELECT {', '.join(selected)} "
        f"FROM {quote(AccessToken._meta.db_table)} t "
        f"INNER JOIN {quote(user_model._meta.db_table)} u "
        f"ON u.{quote(user_model._meta.pk.column)} = t.{column(AccessToken, 'user')} "
        f"LEFT OUTER JOIN {quote(Application._meta.db_table)} a "
        f"ON a.{quote(Application._meta.pk.column)} = "
        f"t.{column(AccessToken, 'application')} "
        f"WHERE t.{column(AccessToken, 'token_checksum')} = %s "
        f"AND t.{column(AccessToken, 'revoked_at')} IS NULL "
        f"AND ({expires} IS NULL OR {expires} > %s) "
        f"AND u.{column(user_model, 'is_active')} "
        f"AND a.{column(Application, 'disabled_at')} IS NULL"
    )
    return _LiveTokenQuery(
        sql,
        tuple(field.attname for field in token_fields),
        tuple(field.attname for field in user_fields),
        tuple(field.get_internal_type() == "BooleanField" for field in user_fields),
    )


def find_live_token(raw: str) -> AccessToken | None:
    """Return the usable token for a raw token, with its user.

    One query; None when the token is unknown, revoked or expired, its user
    inactive or its application disabled. The instance carries only the fields
    the bearer path needs (the others, and the application, load on access) and
    knows whether its last use is older than ``LAST_USED_INTERVAL``.
    """
    if not raw or len(raw) > MAX_TOKEN_LENGTH:
        return None

    alias = router.db_for_read(AccessToken)
    connection = connections[alias]
    query = _live_token_query(alias)
    now = timezone.now()
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            query.sql, [adapt(now - LAST_USED_INTERVAL), tokens.digest(raw), adapt(now)]
        )
        row = cursor.fetchone()
    if row is None:
        return None

    token_end = len(query.token_fields)
    token = AccessToken.from_db(alias, query.token_fields, row[:token_end])
    token.stale_last_use = bool(row[token_end])
    user_values = [
        bool(value) if boolean else value
        for value, boolean in zip(
            row[token_end + 1 :], query.user_booleans, strict=True
        )
    ]
    token.user = get_user_model().from_db(alias, query.user_fields, user_values)
    return token


def touch(token: AccessToken, ip: str | None) -> None:
    """Record when and from where a token was used.

    The update is conditional, so that concurrent requests write at most once
    a minute per token; the bearer path calls it only when the token query said
    the last use is older than that.
    """
    now = timezone.now()
    AccessToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_INTERVAL)
    ).update(last_used_at=now, last_used_ip=ip)
    token.last_used_at = now
    token.last_used_ip = ip


def resolve(request: HttpRequest) -> AccessToken | None:
    """Return the usable token the request's Bearer header names, or None.

    Only the Authorization header is read, never the query string or the body
    (RFC 9700 §4.3.2, RFC 6750 §2). Resolved once per request and only when
    asked for, so views that never look at the caller cost nothing. When a
    Bearer header was sent but cannot authenticate, ``bearer_error(request)``
    says why.
    """
    if hasattr(request, "oauth_token"):
        return request.oauth_token

    request.oauth_token = None
    request.bearer_error = None
    try:
        raw = parse_authorization(request.META.get("HTTP_AUTHORIZATION"))
    except BearerError:
        request.bearer_error = "invalid_request"
        return None
    if raw is None:
        return None

    token = find_live_token(raw)
    if token is None:
        request.bearer_error = "invalid_token"
        return None
    if token.stale_last_use:
        address = client_ip(request)
        touch(token, None if address == "unknown" else address)
    request.oauth_token = token
    return token


def bearer_error(request: HttpRequest) -> str | None:
    """Return ``invalid_request`` or ``invalid_token`` for a refused Bearer header."""
    resolve(request)
    return request.bearer_error
