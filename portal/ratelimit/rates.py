"""The rate-limit scopes, their default rates and the parser for overrides.

This module is imported by the settings module, so it does pure parsing only: no
access to settings, the cache or the database.
"""

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}

_RATE = re.compile(r"^\s*(\d+)\s*/\s*([smhd])\s*$")


@dataclass(frozen=True, slots=True)
class Rate:
    count: int
    duration: int

    def __str__(self) -> str:
        period = next(p for p, seconds in PERIODS.items() if seconds == self.duration)
        return f"{self.count}/{period}"


# Scope, default rate, and what it counts. Every request is counted in exactly one
# of these; the login scope is also counted per account name by the login view.
SCOPES: dict[str, tuple[str, str]] = {
    "anonymous-wildcard": (
        "1000/h",
        _("Anonymous requests not covered by another scope."),
    ),
    "authenticated-wildcard": (
        "2000/h",
        _("Authenticated requests not covered by another scope."),
    ),
    "anonymous-create": ("1000/d", _("Anonymous requests that create a resource.")),
    "authenticated-create": (
        "1000/h",
        _("Authenticated requests that create a resource."),
    ),
    "anonymous-list": ("10000/d", _("Anonymous requests that list resources.")),
    "authenticated-list": (
        "10000/h",
        _("Authenticated requests that list resources."),
    ),
    "anonymous-retrieve": (
        "10000/d",
        _("Anonymous requests that fetch a single resource."),
    ),
    "authenticated-retrieve": (
        "10000/h",
        _("Authenticated requests that fetch a single resource."),
    ),
    "anonymous-update": ("1000/d", _("Anonymous requests that change a resource.")),
    "authenticated-update": (
        "1000/h",
        _("Authenticated requests that change a resource."),
    ),
    "anonymous-destroy": ("1000/d", _("Anonymous requests that delete a resource.")),
    "authenticated-destroy": (
        "500/h",
        _("Authenticated requests that delete a resource."),
    ),
    "anonymous-oauth-app": (
        "10/d",
        _("Anonymous registrations of OAuth applications."),
    ),
    "authenticated-oauth-app": (
        "10/h",
        _("Registrations of OAuth applications by signed-in users."),
    ),
    "oauth-authorize": ("100/h", _("Decisions on OAuth consent screens.")),
    "oauth-token": ("100/h", _("Requests to the OAuth token endpoint.")),
    "oauth-revoke-token": (
        "100/h",
        _("Requests to the OAuth token revocation endpoint."),
    ),
    "login": (
        "30/h",
        _("Sign-in attempts, counted per address and per account name."),
    ),
    "signup": ("10/d", _("Account creations.")),
    "password-change": ("20/h", _("Password changes.")),
}

DEFAULT_RATES: dict[str, str] = {name: rate for name, (rate, _d) in SCOPES.items()}


@lru_cache(maxsize=256)
def parse_rate(text: str) -> Rate:
    """Parse ``count/period`` (period one of s, m, h, d) into a rate.

    Raise ``ValueError`` when the text is not such a rate or the count is zero.
    """
    match = _RATE.match(text)
    if match is None:
        raise ValueError(f"{text!r} is not count/period with period s, m, h or d")
    count = int(match.group(1))
    if count < 1:
        raise ValueError(f"{text!r} must allow at least one request")
    return Rate(count=count, duration=PERIODS[match.group(2)])


def parse_rate_overrides(name: str, value: str) -> dict[str, str]:
    """Parse ``scope=count/period,scope=count/period`` read from variable ``name``.

    Raise ``ImproperlyConfigured`` naming the variable and the bad entry when a
    scope is unknown or a rate is malformed.
    """
    overrides: dict[str, str] = {}
    for entry in value.split(","):
        if not entry.strip():
            continue
        scope, sep, rate = entry.partition("=")
        scope = scope.strip()
        if not sep:
            raise ImproperlyConfigured(
                f"{name}: {entry.strip()!r} is not scope=count/period."
            )
        if scope not in SCOPES:
            known = ", ".join(sorted(SCOPES))
            raise ImproperlyConfigured(
                f"{name}: unknown scope {scope!r} in {entry.strip()!r} "
                f"(known scopes: {known})."
            )
        try:
            parsed = parse_rate(rate.strip())
        except ValueError as error:
            raise ImproperlyConfigured(
                f"{name}: bad rate in {entry.strip()!r}: {error}."
            ) from None
        overrides[scope] = str(parsed)
    return overrides


def env_rates(name: str, *, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """Return every scope's rate: the defaults, overridden by variable ``name``."""
    source = os.environ if environ is None else environ
    rates = dict(DEFAULT_RATES)
    rates.update(parse_rate_overrides(name, source.get(name, "")))
    return rates
