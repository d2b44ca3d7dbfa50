"""The retention clean-up: what is kept for review, and for how long.

Expired and revoked tokens stay visible in the admin until they are older than
``PORTAL_TOKEN_RETENTION_DAYS``; security events stay for
``PORTAL_AUDIT_RETENTION_DAYS``.
"""

import logging
from datetime import timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from portal.audit.models import SecurityEvent
from portal.oauth.models import AccessToken, Grant, RefreshToken

logger = logging.getLogger(__name__)

BATCH_SIZE = 1000


def _delete_in_batches(queryset: QuerySet) -> int:
    """Delete rows a batch at a time, so a large backlog never holds a long lock
    nor loads every row at once."""
    deleted = 0
    while True:
        batch = list(queryset.order_by("pk").values_list("pk", flat=True)[:BATCH_SIZE])
        if not batch:
            return deleted

        queryset.model._default_manager.filter(pk__in=batch).delete()
        deleted += len(batch)


def clean_up(*, token_days: int, audit_days: int) -> dict[str, int]:
    """Delete what is past retention; return the counts per kind of row.

    An expired access token whose refresh token is still live is kept: the
    refresh token needs it to be exchanged.
    """
    now = timezone.now()
    token_cutoff = now - timedelta(days=token_days)
    audit_cutoff = now - timedelta(days=audit_days)

    refresh_tokens = RefreshToken.objects.filter(revoked__lt=token_cutoff)
    live_refresh = RefreshToken.objects.filter(
        access_token=OuterRef("pk"), revoked__isnull=True
    )
    access_tokens = AccessToken.objects.filter(
        Q(revoked_at__lt=token_cutoff)
        | Q(revoked_at__isnull=True, expires__lt=token_cutoff)
    ).exclude(Exists(live_refresh))
    grants = Grant.objects.filter(
        Q(redeemed_at__lt=token_cutoff) | Q(expires__lt=token_cutoff)
    )
    events = SecurityEvent.objects.filter(created__lt=audit_cutoff)

    counts = {
        "refresh tokens": _delete_in_batches(refresh_tokens),
        "access tokens": _delete_in_batches(access_tokens),
        "authorization codes": _delete_in_batches(grants),
        "security events": _delete_in_batches(events),
    }
    logger.info("retention clean-up: %s", counts)
    return counts
