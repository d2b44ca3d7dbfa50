"""Which scope a request is counted in, declared on the view.

A function view names its scope with ``@rate_limit_scope``; a class-based view
(Django or DRF) with a ``rate_limit_scopes`` class attribute; ``@rate_limit_exempt``
or ``rate_limit_exempt = True`` takes a view out of counting. DRF viewsets count
their standard actions in the list, retrieve, create, update and destroy scopes;
everything else falls back to the wildcard scope of the caller's kind.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.exceptions import ImproperlyConfigured

from portal.ratelimit.rates import SCOPES

ViewT = TypeVar("ViewT", bound=Callable[..., Any])

# A scope for every caller, or one for anonymous and one for authenticated callers.
ScopeSpec = str | Mapping[str, str]

_VIEWSET_ACTIONS = {
    "list": "list",
    "retrieve": "retrieve",
    "create": "create",
    "update": "update",
    "partial_update": "update",
    "destroy": "destroy",
}


@dataclass(frozen=True, slots=True)
class ScopeRule:
    methods: frozenset[str] | None
    anonymous: str
    authenticated: str
    handles_refusal: bool


@dataclass(frozen=True, slots=True)
class ScopeChoice:
    scope: str
    handles_refusal: bool = False


def rate_limit_scope(
    scope: str | None = None,
    *,
    anonymous: str | None = None,
    authenticated: str | None = None,
    methods: Iterable[str] | None = None,
    handles_refusal: bool = False,
) -> Callable[[ViewT], ViewT]:
    """Count the decorated view in ``scope``, or per kind of caller.

    ``methods`` restricts the scope to those HTTP methods; other methods fall to
    the next rule (decorators stack) or to the wildcard. With ``handles_refusal``
    the view is still called when the limit is reached and must answer the
    refusal itself, typically by re-rendering its bound form with
    ``refuse_form`` at status 429.
    """
    if scope is not None and (anonymous or authenticated):
        raise TypeError("Pass either a scope or anonymous= and authenticated=.")
    if scope is None and not (anonymous and authenticated):
        raise TypeError("Pass a scope, or both anonymous= and authenticated=.")
    rule = ScopeRule(
        methods=frozenset(m.upper() for m in methods) if methods else None,
        anonymous=_known(anonymous or scope),
        authenticated=_known(authenticated or scope),
        handles_refusal=handles_refusal,
    )

    def decorate(view: ViewT) -> ViewT:
        # A new tuple, not an append: functools.wraps shares __dict__ entries
        # between a view and its wrappers.
        rules = (*getattr(view, "rate_limit_rules", ()), rule)
        view.rate_limit_rules = rules  # type: ignore[attr-defined]
        return view

    return decorate


def rate_limit_exempt(view: ViewT) -> ViewT:
    """Leave the decorated view out of rate limiting altogether."""
    view.rate_limit_exempt = True  # type: ignore[attr-defined]
    return view


def choose_scope(
    view_func: Callable[..., Any], method: str, authenticated: bool
) -> ScopeChoice | None:
    """Return the scope a request to ``view_func`` counts in; None when exempt."""
    kind = "authenticated" if authenticated else "anonymous"
    view_class = getattr(view_func, "cls", None) or getattr(
        view_func, "view_class", None
    )
    if getattr(view_func, "rate_limit_exempt", False) or getattr(
        view_class, "rate_limit_exempt", False
    ):
        return None

    for rule in getattr(view_func, "rate_limit_rules", ()):
        if rule.methods is None or method in rule.methods:
            scope = rule.authenticated if authenticated else rule.anonymous
            return ScopeChoice(scope, rule.handles_refusal)

    if view_class is not None:
        actions = getattr(view_func, "actions", None)
        key = actions.get(method.lower()) if actions else method.lower()
        declared = getattr(view_class, "rate_limit_scopes", None) or {}
        spec = declared.get(key) if key else None
        if spec is None:
            spec = declared.get("*")
        if spec is not None:
            handles = getattr(view_class, "rate_limit_handles_refusal", False)
            return ScopeChoice(_from_spec(spec, kind, view_class), handles)
        if actions and key in _VIEWSET_ACTIONS:
            return ScopeChoice(f"{kind}-{_VIEWSET_ACTIONS[key]}")

    return ScopeChoice(f"{kind}-wildcard")


def _from_spec(spec: ScopeSpec, kind: str, view_class: type) -> str:
    scope = spec if isinstance(spec, str) else spec.get(kind)
    if scope is None or scope not in SCOPES:
        raise ImproperlyConfigured(
            f"{view_class.__qualname__}.rate_limit_scopes names an unknown scope "
            f"{scope!r} for {kind} callers."
        )
    return scope


def _known(scope: str | None) -> str:
    if scope is None or scope not in SCOPES:
        raise ImproperlyConfigured(f"Unknown rate-limit scope {scope!r}.")
    return scope
