"""The portal's OAuth models, swapped in for django-oauth-toolkit's own.

Tokens, refresh tokens and authorization codes are stored as SHA-256 digests
only (RFC 9700 §4.14 and §2.1); client secrets are stored as password hashes.
Revoking marks a row instead of deleting it, so admins can review what was
issued until the retention clean-up removes it.
"""

from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from oauth2_provider.models import (
    AbstractAccessToken,
    AbstractApplication,
    AbstractGrant,
    AbstractRefreshToken,
)

from portal.oauth import redirects, scopes


class Application(AbstractApplication):
    scope = models.TextField(_("scopes"), default="read")
    trusted = models.BooleanField(
        _("trusted"),
        default=False,
        help_text=_(
            "A trusted application is not asked for consent again when a user "
            "already granted every scope it requests."
        ),
    )
    disabled_at = models.DateTimeField(_("disabled at"), null=True, blank=True)

    class Meta(AbstractApplication.Meta):
        swappable = "OAUTH2_PROVIDER_APPLICATION_MODEL"
        permissions = [
            ("instance_settings", _("May receive the pod settings scopes")),
            ("instance_library", _("May receive the pod library scopes")),
            ("instance_moderation", _("May receive the moderation scopes")),
        ]

    def __str__(self) -> str:
        return self.name or self.client_id

    @property
    def redirect_uri_list(self) -> list[str]:
        return self.redirect_uris.split()

    @property
    def scope_list(self) -> list[str]:
        return self.scope.split()

    def redirect_uri_allowed(self, uri: str) -> bool:
        return redirects.matches(uri, self.redirect_uri_list)

    def get_allowed_schemes(self) -> list[str]:
        """Schemes the portal may redirect to: http(s) and the private-use
        schemes this application registered (RFC 8252 §7.1). The redirect URI
        itself has already matched a registered one exactly."""
        schemes = {"http", "https"}
        for uri in self.redirect_uri_list:
            scheme, _, _rest = uri.partition(":")
            if "." in scheme and not redirects.is_oob(uri):
                schemes.add(scheme)
        return sorted(schemes)

    def is_usable(self, request: Any) -> bool:
        return self.disabled_at is None

    def clean(self) -> None:
        # Redirect URIs are checked by portal.oauth.redirects when an application
        # is registered or edited; DOT's own check would refuse the out-of-band
        # and private-use URIs the portal supports.
        pass


def live_condition() -> models.Q:
    """The condition of an access token neither revoked nor expired, now."""
    return models.Q(revoked_at__isnull=True) & (
        models.Q(expires__isnull=True) | models.Q(expires__gt=timezone.now())
    )


class AccessTokenQuerySet(models.QuerySet):
    def live(self) -> "AccessTokenQuerySet":
        """Tokens neither revoked nor expired."""
        return self.filter(live_condition())


class AccessToken(AbstractAccessToken):
    class Kind(models.TextChoices):
        ACCESS = "access", _("access token")
        PERSONAL = "personal", _("personal token")

    # OpenID Connect is not offered; dropping the field keeps the portal's models
    # free of a dependency cycle with django-oauth-toolkit's ID token model.
    id_token = None
    # A personal token has no expiry unless its owner sets one.
    expires = models.DateTimeField(_("expires"), null=True, blank=True)
    kind = models.CharField(
        _("kind"), max_length=16, choices=Kind.choices, default=Kind.ACCESS
    )
    prefix = models.CharField(_("public prefix"), max_length=16, blank=True)
    token_family = models.UUIDField(_("token family"), null=True, blank=True)
    grant = models.ForeignKey(
        "oauth.Grant",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="access_tokens",
        verbose_name=_("authorization code"),
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    last_used_ip = models.GenericIPAddressField(_("last IP"), null=True, blank=True)

    objects = AccessTokenQuerySet.as_manager()

    class Meta(AbstractAccessToken.Meta):
        swappable = "OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL"
        indexes = [
            models.Index(fields=["token_family"], name="oauth_at_family"),
            models.Index(fields=["user", "application"], name="oauth_at_user_app"),
            models.Index(fields=["created"], name="oauth_at_created"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.prefix}…"

    def is_expired(self) -> bool:
        return self.expires is not None and timezone.now() >= self.expires

    def is_valid(self, scopes: Any = None) -> bool:
        return (
            self.revoked_at is None
            and not self.is_expired()
            and self.allow_scopes(scopes)
        )

    def allow_scopes(self, required: Any) -> bool:
        if not required:
            return True
        return scopes.expand(required) <= scopes.leaves_of(self.scope)

    @property
    def state(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.is_expired():
            return "expired"
        return "active"

    def revoke(self) -> None:
        """Mark the token revoked; it stays for review until cleaned up."""
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            type(self).objects.filter(pk=self.pk, revoked_at__isnull=True).update(
                revoked_at=self.revoked_at
            )


class RefreshToken(AbstractRefreshToken):
    prefix = models.CharField(_("public prefix"), max_length=16, blank=True)

    class Meta(AbstractRefreshToken.Meta):
        swappable = "OAUTH2_PROVIDER_REFRESH_TOKEN_MODEL"

    def __str__(self) -> str:
        return f"refresh token {self.prefix}…"

    @classmethod
    def revoke_family(cls, token_family: Any) -> None:
        """Revoke through the portal's service, which keeps the rows for review;
        django-oauth-toolkit's own version deletes the access tokens."""
        # Imported here: the services module imports these models.
        from portal.oauth.services import revoke_family

        revoke_family(token_family, reason="refresh_reuse")


class Grant(AbstractGrant):
    """An authorization code; ``code`` holds the code's SHA-256 digest.

    A redeemed code is kept (``redeemed_at``) so that a replay can find and revoke
    the tokens issued from it (RFC 6749 §4.1.2).
    """

    redeemed_at = models.DateTimeField(_("redeemed at"), null=True, blank=True)

    class Meta(AbstractGrant.Meta):
        swappable = "OAUTH2_PROVIDER_GRANT_MODEL"
