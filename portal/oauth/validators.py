"""The portal's oauthlib request validator.

It extends django-oauth-toolkit's validator where the portal stores or checks
things differently: codes are kept as digests and remembered after redemption,
tokens carry a prefix, a kind and a family, PKCE is checked strictly, and scopes
come from the portal's catalogue.
"""

import re
import uuid
from datetime import timedelta
from typing import Any

from django.db.models import F
from django.utils import timezone
from oauth2_provider.models import AbstractApplication
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.settings import oauth2_settings
from oauthlib.oauth2.rfc6749 import errors

from portal.oauth import bearer, scopes, services, tokens
from portal.oauth.models import AccessToken, Grant, RefreshToken

# RFC 7636 §4.1: 43 to 128 unreserved characters.
CODE_VERIFIER = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")


class PortalValidator(OAuth2Validator):
    # Scopes -------------------------------------------------------------------

    def validate_scopes(
        self,
        client_id: str,
        requested: list[str],
        client: Any,
        request: Any,
        *args: Any,
        **kwargs: Any,
    ) -> bool:
        """Refuse unknown scope ids (RFC 6749 §4.1.2.1 ``invalid_scope``)."""
        return all(scope in scopes.ALL_IDS for scope in requested)

    def get_default_scopes(
        self, client_id: str, request: Any, *args: Any, **kwargs: Any
    ) -> list[str]:
        client = request.client
        return client.scope_list if client is not None else [scopes.READ]

    # Clients ------------------------------------------------------------------

    def is_pkce_required(self, client_id: str, request: Any) -> bool:
        """Require PKCE of public clients (RFC 9700 §2.1.1)."""
        client = request.client
        return client is None or client.client_type == AbstractApplication.CLIENT_PUBLIC

    def _load_application(self, client_id: str, request: Any) -> Any:
        """Find the client; a client id with a NUL byte is unknown.

        PostgreSQL refuses NUL in a query parameter with an error that
        django-oauth-toolkit does not expect (it expects psycopg2's ValueError).
        """
        if client_id and "\x00" in client_id:
            return None
        return super()._load_application(client_id, request)

    def _authenticate_basic_auth(self, request: Any) -> bool:
        """Check HTTP Basic client credentials (RFC 6749 §2.3.1).

        django-oauth-toolkit's base64 step raises ValueError on non-ASCII
        credentials instead of refusing them.
        """
        try:
            return super()._authenticate_basic_auth(request)
        except ValueError:
            return False

    # Authorization codes ------------------------------------------------------

    def _create_authorization_code(
        self, request: Any, code: dict[str, str], expires: Any = None
    ) -> Grant:
        if request.code_challenge and request.code_challenge_method != "S256":
            raise errors.InvalidRequestError(
                description="Only the S256 code_challenge_method is supported.",
                request=request,
            )

        if not expires:
            expires = timezone.now() + timedelta(
                seconds=oauth2_settings.AUTHORIZATION_CODE_EXPIRE_SECONDS
            )
        granted = scopes.effective(
            request.scopes, request.client.scope_list, request.user
        )
        return Grant.objects.create(
            application=request.client,
            user=request.user,
            code=tokens.digest(code["code"]),
            expires=expires,
            redirect_uri=request.redirect_uri,
            scope=scopes.to_string(granted),
            code_challenge=request.code_challenge or "",
            code_challenge_method=request.code_challenge_method or "",
        )

    def _grant(self, code: str, request: Any) -> Grant | None:
        grant = getattr(request, "portal_grant", None)
        if grant is not None:
            return grant

        try:
            grant = (
                Grant.objects.select_for_update(of=("self",))
                .select_related("user")
                .get(code=tokens.digest(code), application=request.client)
            )
        except (Grant.DoesNotExist, ValueError):
            return None
        request.portal_grant = grant
        return grant

    def validate_code(
        self,
        client_id: str,
        code: str,
        client: Any,
        request: Any,
        *args: Any,
        **kw: Any,
    ) -> bool:
        """Check a code: known, unexpired, unredeemed, and with coherent PKCE.

        A replayed code revokes every token issued from it (RFC 6749 §4.1.2). A
        verifier sent for a code that had no challenge is refused (RFC 9700
        §2.1.1); a verifier must be 43-128 unreserved characters (RFC 7636 §4.1).
        """
        grant = self._grant(code, request)
        if grant is None:
            return False

        if grant.redeemed_at is not None:
            services.revoke_tokens_of_replayed_code(grant)
            return False

        if grant.is_expired() or not grant.user.is_active:
            return False

        verifier = request.code_verifier
        if grant.code_challenge:
            if verifier is not None and not CODE_VERIFIER.match(verifier):
                return False
        elif verifier is not None:
            return False

        request.scopes = grant.scope.split()
        request.user = grant.user
        return True

    def get_code_challenge(self, code: str, request: Any) -> str | None:
        grant = self._grant(code, request)
        return (grant.code_challenge or None) if grant else None

    def get_code_challenge_method(self, code: str, request: Any) -> str | None:
        grant = self._grant(code, request)
        return (grant.code_challenge_method or None) if grant else None

    def confirm_redirect_uri(
        self,
        client_id: str,
        code: str,
        redirect_uri: str,
        client: Any,
        *args: Any,
        **kwargs: Any,
    ) -> bool:
        request = args[0] if args else kwargs.get("request")
        grant = self._grant(code, request)
        return grant is not None and grant.redirect_uri == redirect_uri

    def get_authorization_code_scopes(
        self, client_id: str, code: str, redirect_uri: str, request: Any
    ) -> list[str]:
        scope = (
            Grant.objects.filter(code=tokens.digest(code))
            .values_list("scope", flat=True)
            .first()
        )
        return scope.split() if scope else []

    def get_authorization_code_nonce(self, *args: Any, **kwargs: Any) -> None:
        return None

    def invalidate_authorization_code(
        self, client_id: str, code: str, request: Any, *args: Any, **kwargs: Any
    ) -> None:
        """Mark the code redeemed; the row stays to detect a replay."""
        updated = Grant.objects.filter(
            code=tokens.digest(code),
            application=request.client,
            redeemed_at__isnull=True,
        ).update(redeemed_at=timezone.now())
        if not updated:
            raise errors.InvalidGrantError(request=request)

    def _check_and_set_request_resource(self, request: Any) -> None:
        # Resource indicators (RFC 8707) are not offered by the portal.
        request.resource = []

    # Tokens -------------------------------------------------------------------

    def _create_access_token(
        self, expires: Any, request: Any, token: dict, source_refresh_token: Any = None
    ) -> AccessToken:
        if source_refresh_token is not None:
            family = source_refresh_token.token_family
        else:
            family = uuid.uuid4()
        raw = token["access_token"]
        access_token = AccessToken(
            user=request.user,
            scope=token["scope"],
            expires=expires,
            application=request.client,
            source_refresh_token=source_refresh_token,
            kind=AccessToken.Kind.ACCESS,
            prefix=tokens.public_prefix(raw),
            token_family=family,
            grant=getattr(request, "portal_grant", None),
        )
        self._set_token_value(access_token, raw)
        access_token.save()
        services.record_token_issued(
            access_token, request, refreshed=source_refresh_token is not None
        )
        return access_token

    def _create_refresh_token(
        self,
        request: Any,
        refresh_token_code: str,
        access_token: AccessToken,
        previous_refresh_token: Any,
    ) -> RefreshToken:
        refresh_token = RefreshToken(
            user=request.user,
            application=request.client,
            access_token=access_token,
            token_family=access_token.token_family,
            prefix=tokens.public_prefix(refresh_token_code),
        )
        self._set_token_value(refresh_token, refresh_token_code)
        refresh_token.save()
        return refresh_token

    def _load_access_token(self, token: str) -> AccessToken | None:
        return bearer.find_live_token(token)

    def revoke_token(
        self,
        token: str,
        token_type_hint: str | None,
        request: Any,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        """Revoke a token of the authenticated client and the rest of its family.

        A token of another client is left alone and answered like an unknown one
        (RFC 7009 §2.1, §2.2).
        """
        client = request.client
        if client is None or client.pk is None:
            return

        checksum = tokens.digest(token)
        access_token = AccessToken.objects.filter(
            token_checksum=checksum, application=client
        ).first()
        if access_token is not None:
            services.revoke_token(
                access_token, actor=None, request=request, by="client"
            )
            return
        refresh_token = (
            RefreshToken.objects.filter(token_checksum=checksum, application=client)
            .order_by(F("revoked").desc(nulls_first=True))
            .first()
        )
        if refresh_token is not None:
            services.revoke_family(
                refresh_token.token_family, reason="client", request=request
            )

    def validate_refresh_token(
        self, refresh_token: str, client: Any, request: Any, *args: Any, **kwargs: Any
    ) -> bool:
        """Check a refresh token, locking it for the rest of the exchange.

        Presenting a refresh token that was already rotated revokes its whole
        family (RFC 9700 §4.14.2); two concurrent exchanges of one token therefore
        give one success.
        """
        found = (
            RefreshToken.objects.select_for_update(of=("self",))
            .select_related("access_token", "user")
            .filter(token_checksum=tokens.digest(refresh_token))
            .order_by(F("revoked").desc(nulls_first=True))
            .first()
        )
        if found is None or found.application_id != client.pk:
            return False

        if found.revoked is not None:
            superseded = AccessToken.objects.filter(source_refresh_token=found).exists()
            if superseded:
                services.revoke_family(
                    found.token_family, reason="refresh_reuse", request=request
                )
            return False

        access_token = found.access_token
        if access_token is None or access_token.revoked_at is not None:
            return False
        if not found.user.is_active:
            return False

        request.user = found.user
        request.refresh_token = refresh_token
        request.refresh_token_instance = found
        return True
