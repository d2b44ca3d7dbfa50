from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SecurityEvent(models.Model):
    """Something that happened to an account's security: who, to whom, with what.

    It never holds a token, code, secret or password; at most a token's public
    prefix.
    """

    class Kind(models.TextChoices):
        APPLICATION_CREATED = "application_created", _("application created")
        APPLICATION_UPDATED = "application_updated", _("application updated")
        APPLICATION_DELETED = "application_deleted", _("application deleted")
        APPLICATION_DISABLED = "application_disabled", _("application disabled")
        APPLICATION_TRUSTED = "application_trusted", _("application marked trusted")
        APPLICATION_ENABLED = "application_enabled", _("application enabled again")
        APPLICATION_TOKENS_REVOKED = (
            "application_tokens_revoked",
            _("every token of an application revoked"),
        )
        CLIENT_SECRET_REGENERATED = (
            "client_secret_regenerated",
            _("client secret regenerated"),
        )
        PERSONAL_TOKEN_ISSUED = "personal_token_issued", _("personal token issued")
        PERSONAL_TOKEN_REVEALED = (
            "personal_token_revealed",
            _("personal token revealed"),
        )
        PERSONAL_TOKEN_REGENERATED = (
            "personal_token_regenerated",
            _("personal token regenerated"),
        )
        CONSENT_GRANTED = "consent_granted", _("consent granted")
        CONSENT_DENIED = "consent_denied", _("consent denied")
        TOKEN_ISSUED_BY_CODE = "token_issued_by_code", _("token issued for a code")
        TOKEN_ISSUED_BY_REFRESH = (
            "token_issued_by_refresh",
            _("token issued for a refresh token"),
        )
        CODE_REPLAYED = "code_replayed", _("authorization code replayed")
        REFRESH_REUSE_DETECTED = (
            "refresh_reuse_detected",
            _("refresh token reuse detected"),
        )
        TOKEN_REVOKED = "token_revoked", _("token revoked")
        GRANT_REVOKED = "grant_revoked", _("authorization revoked")
        SIGN_IN_SUCCEEDED = "sign_in_succeeded", _("sign-in succeeded")
        SIGN_IN_FAILED = "sign_in_failed", _("sign-in failed")
        LOGIN_RATE_LIMITED = "login_rate_limited", _("sign-in rate limit exceeded")

    kind = models.CharField(_("event"), max_length=40, choices=Kind.choices)
    created = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="security_events",
        verbose_name=_("user"),
    )
    application = models.ForeignKey(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("application"),
    )
    application_name = models.CharField(_("application name"), max_length=255)
    ip = models.GenericIPAddressField(_("IP"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=200, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [
            models.Index(fields=["user", "-created"], name="audit_user_time"),
            models.Index(fields=["kind", "-created"], name="audit_kind_time"),
        ]
        verbose_name = _("security event")
        verbose_name_plural = _("security events")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"
