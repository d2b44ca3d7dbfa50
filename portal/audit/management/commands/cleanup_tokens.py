from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal.audit.retention import clean_up


class Command(BaseCommand):
    help = (
        "Delete access and refresh tokens expired or revoked, and authorization "
        "codes redeemed or expired, more than --days days ago, and security "
        "events older than PORTAL_AUDIT_RETENTION_DAYS."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Days to keep expired and revoked tokens "
            f"(default: PORTAL_TOKEN_RETENTION_DAYS, "
            f"{settings.PORTAL_TOKEN_RETENTION_DAYS}).",
        )
        parser.add_argument(
            "--audit-days",
            type=int,
            default=None,
            help="Days to keep security events (default: PORTAL_AUDIT_RETENTION_DAYS).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        token_days = options["days"]
        if token_days is None:
            token_days = settings.PORTAL_TOKEN_RETENTION_DAYS
        audit_days = options["audit_days"]
        if audit_days is None:
            audit_days = settings.PORTAL_AUDIT_RETENTION_DAYS
        if token_days < 0 or audit_days < 0:
            raise CommandError("Retention must be zero or more days.")

        counts = clean_up(token_days=token_days, audit_days=audit_days)
        for name, count in counts.items():
            self.stdout.write(f"Deleted {count} {name}.")
