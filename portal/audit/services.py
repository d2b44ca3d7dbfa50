"""Write security events. Every service that acts on security records here."""

import ipaddress
import logging
from collections.abc import Iterable
from types import SimpleNamespace
from typing import Any

from portal import net
from portal.audit.models import SecurityEvent

logger = logging.getLogger(__name__)

USER_AGENT_LENGTH = 200


def _meta(request: Any) -> Any:
    # A Django request has META; the oauthlib request built from it carries the
    # same keys in ``headers``.
    if request is None:
        return {}
    meta = getattr(request, "META", None)
    return meta if meta is not None else (getattr(request, "headers", None) or {})


def client_ip(request: Any) -> str | None:
    """Return the client address of a request, or None.

    The address is the one the rate limiter counts, so trusted proxies are
    honoured the same way (``THROTTLING_TRUSTED_PROXIES``). Anything that is not
    an IP address gives None.
    """
    meta = _meta(request)
    if not meta:
        return None

    address = net.client_ip(SimpleNamespace(META=meta))  # type: ignore[arg-type]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def _authenticated(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None


def _event(
    kind: str,
    *,
    request: Any,
    actor: Any,
    user: Any,
    application: Any,
    detail: dict[str, Any] | None,
) -> SecurityEvent:
    return SecurityEvent(
        kind=kind,
        actor=_authenticated(actor),
        user=_authenticated(user),
        application=application,
        application_name=getattr(application, "name", "") or "",
        ip=client_ip(request),
        user_agent=_meta(request).get("HTTP_USER_AGENT", "")[:USER_AGENT_LENGTH],
        detail=detail or {},
    )


def record(
    kind: str,
    *,
    request: Any = None,
    actor: Any = None,
    user: Any = None,
    application: Any = None,
    detail: dict[str, Any] | None = None,
) -> SecurityEvent:
    """Record one security event; ``detail`` must hold no secret.

    Events the account's owner must hear about (a newly authorized application,
    a personal token issued, a refresh token reused) also send an e-mail once
    the surrounding transaction commits.
    """
    event = _event(
        kind,
        request=request,
        actor=actor,
        user=user,
        application=application,
        detail=detail,
    )
    event.save()
    logger.info(
        "security event %s id=%s user=%s application=%s",
        kind,
        event.pk,
        getattr(user, "pk", None),
        getattr(application, "pk", None),
    )

    from portal.audit import notifications

    if event.user_id is not None and kind in notifications.NOTIFIED_KINDS:
        notifications.schedule(event)
    return event


def record_many(
    kind: str,
    user_ids: Iterable[int],
    *,
    request: Any = None,
    actor: Any = None,
    application: Any = None,
    detail: dict[str, Any] | None = None,
) -> int:
    """Record the same event for many users in one insert; return how many.

    Used by bulk admin actions, which touch the accounts of many users at once;
    these kinds send no e-mail.
    """
    events = []
    for user_id in user_ids:
        event = _event(
            kind,
            request=request,
            actor=actor,
            user=None,
            application=application,
            detail=detail,
        )
        event.user_id = user_id
        events.append(event)
    SecurityEvent.objects.bulk_create(events, batch_size=500)
    logger.info(
        "security event %s recorded for %s users application=%s",
        kind,
        len(events),
        getattr(application, "pk", None),
    )
    return len(events)


def record_reveal(request: Any, application: Any, token: Any) -> SecurityEvent:
    """Record that a personal token was shown to its owner.

    Call it from the page that displays the token once; only the token's public
    prefix is kept.
    """
    return record(
        SecurityEvent.Kind.PERSONAL_TOKEN_REVEALED,
        request=request,
        actor=getattr(request, "user", None),
        user=token.user,
        application=application,
        detail={"prefix": token.prefix},
    )
