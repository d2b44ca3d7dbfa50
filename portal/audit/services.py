"""Write security events. Every service that acts on security records here."""

import logging
from typing import Any

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
    """Return the client address of a request, or None."""
    return _meta(request).get("REMOTE_ADDR") or None


def record(
    kind: str,
    *,
    request: Any = None,
    actor: Any = None,
    user: Any = None,
    application: Any = None,
    detail: dict[str, Any] | None = None,
) -> SecurityEvent:
    """Record one security event; ``detail`` must hold no secret."""
    user_agent = _meta(request).get("HTTP_USER_AGENT", "")[:USER_AGENT_LENGTH]
    event = SecurityEvent.objects.create(
        kind=kind,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        user=user if getattr(user, "is_authenticated", False) else None,
        application=application,
        application_name=getattr(application, "name", "") or "",
        ip=client_ip(request),
        user_agent=user_agent,
        detail=detail or {},
    )
    logger.info(
        "security event %s id=%s user=%s application=%s",
        kind,
        event.pk,
        getattr(user, "pk", None),
        getattr(application, "pk", None),
    )
    return event
