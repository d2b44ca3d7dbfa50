"""Serializers of the JSON API: what callers send and what they are shown.

Scopes travel as one space-separated string (``"read write:favorites"``) and
redirect URIs as the stored space-separated string, as in Funkwhale's API. Input
serializers only validate; the views hand the cleaned values to the services.
"""

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from portal.oauth import redirects, scopes
from portal.oauth.models import Application

NAME_MAX_LENGTH = 255
REDIRECT_URIS_HELP = _(
    "Redirect URIs separated by spaces or new lines: https, http on a loopback "
    "address, a private-use scheme or urn:ietf:wg:oauth:2.0:oob."
)


# Input --------------------------------------------------------------------------


class ApplicationWriteSerializer(serializers.Serializer):
    """An application's name, redirect URIs and scopes."""

    # Validated, ``redirect_uris`` is a list of URIs and ``scopes`` a list of
    # scope ids. PUT needs every field; PATCH uses it with ``partial=True``.
    name = serializers.CharField(max_length=NAME_MAX_LENGTH)
    redirect_uris = serializers.CharField(
        allow_blank=True, help_text=REDIRECT_URIS_HELP
    )
    scopes = serializers.CharField(
        help_text=_("Scope ids separated by spaces, e.g. 'read write:favorites'."),
    )

    def validate_redirect_uris(self, value: str) -> list[str]:
        uris = redirects.split_uris(value)
        if len(uris) > redirects.MAX_COUNT:
            raise serializers.ValidationError(
                _("Register at most %(count)d redirect URIs.")
                % {"count": redirects.MAX_COUNT},
                code="too_many",
            )
        try:
            return [redirects.validate(uri) for uri in uris]
        except redirects.InvalidRedirectURI as error:
            raise serializers.ValidationError(str(error), code="invalid") from None

    def validate_scopes(self, value: str) -> list[str]:
        try:
            scope_ids = scopes.parse(value)
        except scopes.InvalidScope as error:
            # RFC 6749 §3.3: an unknown scope is refused (invalid_scope), never
            # dropped silently.
            raise serializers.ValidationError(
                str(error), code="invalid_scope"
            ) from None
        if not scope_ids:
            raise serializers.ValidationError(
                _("Name at least one scope."), code="required"
            )
        return scope_ids


class ApplicationCreateSerializer(ApplicationWriteSerializer):
    """A new application; redirect URIs may be left out, scopes default to read."""

    redirect_uris = serializers.CharField(
        allow_blank=True,
        required=False,
        default="",
        help_text=REDIRECT_URIS_HELP,
    )
    scopes = serializers.CharField(
        required=False,
        default=scopes.READ,
        help_text=_("Scope ids separated by spaces; 'read' when left out."),
    )


# Output -------------------------------------------------------------------------


class ApplicationSerializer(serializers.ModelSerializer):
    """What anyone may read about an application."""

    scopes = serializers.CharField(source="scope", read_only=True)

    class Meta:
        model = Application
        fields = ["client_id", "name", "scopes", "created", "updated"]
        read_only_fields = fields


class OwnedApplicationSerializer(ApplicationSerializer):
    """What an application's owner reads about it: the redirect URIs too."""

    class Meta(ApplicationSerializer.Meta):
        fields = [*ApplicationSerializer.Meta.fields, "redirect_uris"]
        read_only_fields = fields


class ApplicationDetailSerializer(ApplicationSerializer):
    """An application as read: the redirect URIs are shown to its owner only."""

    # Describes the retrieve response in the schema; the view itself answers
    # with ApplicationSerializer or OwnedApplicationSerializer.
    redirect_uris = serializers.CharField(
        required=False, help_text=_("Shown to the application's owner only.")
    )

    class Meta(ApplicationSerializer.Meta):
        fields = [*ApplicationSerializer.Meta.fields, "redirect_uris"]
        read_only_fields = ApplicationSerializer.Meta.fields


class ApplicationWithTokenSerializer(OwnedApplicationSerializer):
    """An owned application with a new personal token, shown this once."""

    # The view sets ``revealed_token`` on the instance; nothing stored is read.
    token = serializers.CharField(
        source="revealed_token",
        read_only=True,
        help_text=_("A personal token of the owner, shown this once."),
    )

    class Meta(OwnedApplicationSerializer.Meta):
        fields = [*OwnedApplicationSerializer.Meta.fields, "token"]
        read_only_fields = fields


class ApplicationCreatedSerializer(OwnedApplicationSerializer):
    """A new application with its client secret and, for a signed-in caller, a
    personal token: both shown this once."""

    # The view sets ``revealed_client_secret`` (and ``revealed_token``) on the
    # instance: the stored ``client_secret`` is a hash and is never read here.
    client_secret = serializers.CharField(
        source="revealed_client_secret",
        read_only=True,
        help_text=_("The client secret in clear, shown this once."),
    )
    # Not read-only so that the schema marks it optional: it is skipped when the
    # instance has no revealed token (anonymous registrations).
    token = serializers.CharField(
        source="revealed_token",
        required=False,
        help_text=_(
            "A personal token of the signed-in caller, shown this once; absent "
            "for anonymous registrations."
        ),
    )

    class Meta(OwnedApplicationSerializer.Meta):
        fields = [*OwnedApplicationSerializer.Meta.fields, "client_secret", "token"]
        read_only_fields = [
            *OwnedApplicationSerializer.Meta.fields,
            "client_secret",
        ]


class GrantSerializer(serializers.Serializer):
    """An application the caller authorized through OAuth."""

    # Serializes the entries of ``services.authorized_applications``.
    client_id = serializers.CharField(source="application.client_id")
    name = serializers.CharField(source="application.name")
    scopes = serializers.SerializerMethodField(
        help_text=_("The scopes the caller's live tokens carry, space-separated.")
    )
    created = serializers.DateTimeField(
        source="first_authorized", help_text=_("When it was first authorized.")
    )
    last_used = serializers.DateTimeField(allow_null=True)

    def get_scopes(self, entry: dict[str, Any]) -> str:
        return " ".join(entry["scopes"])


class MeSerializer(serializers.Serializer):
    """The caller's account and the scopes its request carries."""

    id = serializers.IntegerField()
    username = serializers.CharField()
    email = serializers.EmailField()
    is_staff = serializers.BooleanField()
    scopes = serializers.SerializerMethodField(
        help_text=_(
            "Leaf scope ids: those of the token used, or for a signed-in session "
            "every scope the account may hold."
        )
    )

    def get_scopes(self, user: Any) -> list[str]:
        return self.context["scopes"]


# Errors, for the schema ----------------------------------------------------------


class DetailErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class ThrottledSerializer(serializers.Serializer):
    detail = serializers.CharField()
    scope = serializers.CharField(help_text=_("The rate-limit scope reached."))
    retry_after = serializers.IntegerField(help_text=_("Seconds to wait."))


class ApplicationErrorSerializer(serializers.Serializer):
    """Field errors of an application, or a detail for an unreadable body."""

    detail = serializers.CharField(required=False)
    non_field_errors = serializers.ListField(
        child=serializers.CharField(), required=False
    )
    name = serializers.ListField(child=serializers.CharField(), required=False)
    redirect_uris = serializers.ListField(child=serializers.CharField(), required=False)
    scopes = serializers.ListField(child=serializers.CharField(), required=False)
