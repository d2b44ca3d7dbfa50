"""Security events for sign-ins, written from Django's and the rate limiter's
signals so that no account view has to know about the audit log."""

import hashlib
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.cache import cache
from django.http import HttpRequest

from portal.audit.models import SecurityEvent
from portal.audit.services import record

Kind = SecurityEvent.Kind

# A client hammering the sign-in form is refused many times a minute; one event
# per identity and window is enough to tell the story.
RATE_LIMITED_EVENT_SECONDS = 60


def _account(name: str | None) -> AbstractBaseUser | None:
    """Return the account a typed name designates, as the sign-in backend would."""
    if not name:
        return None

    user_model = get_user_model()
    user = user_model._default_manager.filter(username__iexact=name).first()
    if user is None and "@" in name:
        matches = list(user_model._default_manager.filter(email__iexact=name)[:2])
        user = matches[0] if len(matches) == 1 else None
    return user


def sign_in_succeeded(
    sender: Any, request: HttpRequest | None, user: AbstractBaseUser, **kwargs: Any
) -> None:
    record(Kind.SIGN_IN_SUCCEEDED, request=request, actor=user, user=user)


def sign_in_failed(
    sender: Any,
    credentials: dict[str, Any],
    request: HttpRequest | None = None,
    **kwargs: Any,
) -> None:
    # The typed name is kept only as the account it designates; the password,
    # already masked by Django, is never read.
    user = _account(credentials.get("username"))
    record(
        Kind.SIGN_IN_FAILED,
        request=request,
        user=user,
        detail={"account_known": user is not None},
    )


def login_rate_limited(
    sender: Any, request: HttpRequest, scope: str, ident: str, **kwargs: Any
) -> None:
    if scope != "login":
        return

    window = hashlib.sha256(ident.encode("utf-8", "surrogatepass")).hexdigest()
    if not cache.add(f"audit:login-limited:{window}", 1, RATE_LIMITED_EVENT_SECONDS):
        return

    kind_of_limit, _, value = ident.partition(":")
    user = _account(value) if kind_of_limit == "account" else None
    record(
        Kind.LOGIN_RATE_LIMITED,
        request=request,
        user=user,
        detail={"limit": "account" if kind_of_limit == "account" else "address"},
    )
