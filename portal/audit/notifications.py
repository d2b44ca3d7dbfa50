"""E-mails that tell users about security events on their account.

Sent for a newly authorized application, a personal token issued or
regenerated, and a refresh token presented twice. The mail names the
application and the time, never a token, code or secret. Users without an
e-mail address get none.
"""

import logging
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from portal.audit.models import SecurityEvent

logger = logging.getLogger(__name__)
Kind = SecurityEvent.Kind

NOTIFIED_KINDS = frozenset(
    {
        Kind.CONSENT_GRANTED,
        Kind.PERSONAL_TOKEN_ISSUED,
        Kind.PERSONAL_TOKEN_REGENERATED,
        Kind.REFRESH_REUSE_DETECTED,
    }
)

TEMPLATES = {
    Kind.CONSENT_GRANTED: "email/application_authorized.txt",
    Kind.PERSONAL_TOKEN_ISSUED: "email/personal_token.txt",
    Kind.PERSONAL_TOKEN_REGENERATED: "email/personal_token.txt",
    Kind.REFRESH_REUSE_DETECTED: "email/refresh_reuse.txt",
}


def _subject(event: SecurityEvent) -> str:
    # A header cannot hold a line break; names are short anyway.
    name = " ".join(event.application_name.split())[:80]
    if event.kind == Kind.CONSENT_GRANTED:
        return _("%(name)s can now access your account") % {"name": name}
    if event.kind == Kind.REFRESH_REUSE_DETECTED:
        return _("Access of %(name)s to your account was revoked") % {"name": name}
    return _("A personal token for %(name)s was issued") % {"name": name}


def schedule(event: SecurityEvent) -> None:
    """Send the e-mail for ``event`` once the current transaction commits.

    A failure to send is logged and never breaks the action that caused it.
    """
    # The OAuth service marks the consent that first authorizes an application.
    if event.kind == Kind.CONSENT_GRANTED and not event.detail.get("first"):
        return

    transaction.on_commit(partial(send, event.pk), robust=True)


def send(event_id: int) -> bool:
    """Send the e-mail of one recorded event; return whether one was sent."""
    event = SecurityEvent.objects.select_related("user").filter(pk=event_id).first()
    if event is None or event.user is None or not event.user.email:
        return False

    context = {
        "event": event,
        "user": event.user,
        "application_name": event.application_name,
        "regenerated": event.kind == Kind.PERSONAL_TOKEN_REGENERATED,
        "security_url": settings.PORTAL_BASE_URL + reverse("audit:security_log"),
    }
    body = render_to_string(TEMPLATES[event.kind], context)
    send_mail(
        _subject(event),
        body,
        settings.DEFAULT_FROM_EMAIL,
        [event.user.email],
    )
    logger.info("security e-mail for event %s sent to user %s", event.pk, event.user_id)
    return True
