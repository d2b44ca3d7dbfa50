"""The service functions that change applications, grants and tokens.

The settings pages, the JSON API, the OAuth endpoints and the admin all act
through these functions: there is one place that creates an application, one
that issues a personal token, one that revokes. Each writes its security event.
"""

import logging
import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.db.models import Max, Min, Q
from django.utils import timezone
from oauth2_provider.generators import generate_client_secret

from portal.audit.models import SecurityEvent
from portal.audit.services import record, record_many
from portal.oauth import redirects, scopes, tokens
from portal.oauth.models import (
    AccessToken,
    Application,
    Grant,
    RefreshToken,
    live_condition,
)

logger = logging.getLogger(__name__)
Kind = SecurityEvent.Kind


# Applications -------------------------------------------------------------------


def create_application(
    *,
    name: str,
    redirect_uris: Iterable[str],
    scope_ids: Iterable[str],
    owner: AbstractBaseUser | None,
    request: Any = None,
) -> tuple[Application, str]:
    """Register an application; return it and its client secret, shown once.

    Redirect URIs and scopes must already be valid (see ``redirects.validate``
    and ``scopes.parse``); they are checked again here as a last line.
    """
    uris = [redirects.validate(uri) for uri in redirect_uris]
    scope_list = scopes.parse(list(scope_ids)) or [scopes.READ]
    secret = generate_client_secret()
    application = Application(
        name=name,
        user=owner,
        redirect_uris=" ".join(uris),
        scope=" ".join(scope_list),
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        client_secret=secret,
        hash_client_secret=True,
    )
    application.save()
    record(
        Kind.APPLICATION_CREATED,
        request=request,
        actor=owner,
        user=owner,
        application=application,
        detail={"client_id": application.client_id, "scopes": scope_list},
    )
    return application, secret


def update_application(
    application: Application,
    *,
    actor: AbstractBaseUser | None,
    request: Any = None,
    name: str | None = None,
    redirect_uris: Iterable[str] | None = None,
    scope_ids: Iterable[str] | None = None,
) -> Application:
    """Change an application; narrowing its scopes narrows its live tokens.

    Raise ``Application.DoesNotExist`` when a concurrent request deleted it.
    """
    changed: list[str] = []
    if name is not None and name != application.name:
        application.name = name
        changed.append("name")
    if redirect_uris is not None:
        uris = " ".join(redirects.validate(uri) for uri in redirect_uris)
        if uris != application.redirect_uris:
            application.redirect_uris = uris
            changed.append("redirect_uris")
    if scope_ids is not None:
        scope_list = scopes.parse(list(scope_ids)) or [scopes.READ]
        if " ".join(scope_list) != application.scope:
            application.scope = " ".join(scope_list)
            changed.append("scope")
    if not changed:
        return application

    with transaction.atomic():
        _lock(application)
        application.save(update_fields=[*changed, "updated"])
        if "scope" in changed:
            _narrow_live_scopes(application)
        record(
            Kind.APPLICATION_UPDATED,
            request=request,
            actor=actor,
            user=application.user,
            application=application,
            detail={"fields": changed, "scopes": application.scope_list},
        )
    return application


def _lock(application: Application) -> None:
    """Lock an application's row for the transaction; raise DoesNotExist when a
    concurrent request deleted it, so no write or event points at nothing."""
    if (
        Application.objects.select_for_update().filter(pk=application.pk).first()
        is None
    ):
        raise Application.DoesNotExist("The application was deleted.")


def _narrow_live_scopes(application: Application) -> None:
    allowed = scopes.expand(application.scope_list)
    live_tokens = AccessToken.objects.filter(
        application=application, revoked_at__isnull=True
    )
    pending_grants = Grant.objects.filter(
        application=application, redeemed_at__isnull=True
    )
    for queryset in (live_tokens, pending_grants):
        for scope in set(queryset.values_list("scope", flat=True)):
            narrowed = scopes.to_string(scopes.leaves_of(scope) & allowed)
            if narrowed != scope:
                queryset.filter(scope=scope).update(scope=narrowed)


def delete_application(
    application: Application, *, actor: AbstractBaseUser | None, request: Any = None
) -> bool:
    """Delete an application with its tokens, grants and refresh tokens.

    Return False when a concurrent request deleted it first: only one deletion
    succeeds and writes the event.
    """
    with transaction.atomic():
        if (
            Application.objects.filter(pk=application.pk).select_for_update().first()
            is None
        ):
            return False

        record(
            Kind.APPLICATION_DELETED,
            request=request,
            actor=actor,
            user=application.user,
            application=application,
            detail={"client_id": application.client_id, "name": application.name},
        )
        application.delete()
    return True


def regenerate_client_secret(
    application: Application, *, actor: AbstractBaseUser | None, request: Any = None
) -> str:
    """Give an application a new client secret; return it, shown once.

    Raise ``Application.DoesNotExist`` when a concurrent request deleted it.
    """
    secret = generate_client_secret()
    application.client_secret = secret
    with transaction.atomic():
        _lock(application)
        application.save(update_fields=["client_secret", "updated"])
        record(
            Kind.CLIENT_SECRET_REGENERATED,
            request=request,
            actor=actor,
            user=application.user,
            application=application,
        )
    return secret


def revoke_application_tokens(
    application: Application,
    *,
    actor: AbstractBaseUser | None,
    request: Any = None,
    by: str = "admin",
) -> int:
    """Revoke every access token, refresh token and pending code of one
    application, for all its users, in a constant number of queries.

    Each user whose tokens were revoked gets an event on their own log. Return
    the number of access tokens revoked.
    """
    now = timezone.now()
    with transaction.atomic():
        Application.objects.select_for_update().filter(pk=application.pk).first()
        live = AccessToken.objects.filter(
            application=application, revoked_at__isnull=True
        )
        user_ids = list(live.order_by().values_list("user_id", flat=True).distinct())
        revoked = live.update(revoked_at=now)
        RefreshToken.objects.filter(
            application=application, revoked__isnull=True
        ).update(revoked=now, updated=now)
        Grant.objects.filter(application=application, redeemed_at__isnull=True).delete()
    record(
        Kind.APPLICATION_TOKENS_REVOKED,
        request=request,
        actor=actor,
        user=application.user,
        application=application,
        detail={"client_id": application.client_id, "tokens": revoked, "by": by},
    )
    record_many(
        Kind.GRANT_REVOKED,
        [user_id for user_id in user_ids if user_id is not None],
        request=request,
        actor=actor,
        application=application,
        detail={"by": by},
    )
    return revoked


def set_application_disabled(
    application: Application,
    disabled: bool,
    *,
    actor: AbstractBaseUser | None,
    request: Any = None,
) -> bool:
    """Disable an application (its tokens stop working and it can start no
    flow) or enable it again. Return whether anything changed."""
    now = timezone.now()
    changed = Application.objects.filter(
        pk=application.pk, disabled_at__isnull=disabled
    ).update(disabled_at=now if disabled else None, updated=now)
    if not changed:
        return False

    application.disabled_at = now if disabled else None
    record(
        Kind.APPLICATION_DISABLED if disabled else Kind.APPLICATION_ENABLED,
        request=request,
        actor=actor,
        user=application.user,
        application=application,
        detail={"client_id": application.client_id, "by": "admin"},
    )
    return True


def mark_application_trusted(
    application: Application, *, actor: AbstractBaseUser | None, request: Any = None
) -> bool:
    """Mark an application trusted; return whether it was not already."""
    changed = Application.objects.filter(pk=application.pk, trusted=False).update(
        trusted=True, updated=timezone.now()
    )
    if not changed:
        return False

    application.trusted = True
    record(
        Kind.APPLICATION_TRUSTED,
        request=request,
        actor=actor,
        user=application.user,
        application=application,
        detail={"client_id": application.client_id, "by": "admin"},
    )
    return True


# Personal tokens ----------------------------------------------------------------


def issue_personal_token(
    application: Application,
    owner: AbstractBaseUser,
    *,
    expires: datetime | None = None,
    request: Any = None,
) -> tuple[AccessToken, str]:
    """Issue the owner's personal token for an application; return it, shown once.

    Any previous personal token of the owner for this application stops working
    at once: an application has at most one live personal token per owner. The
    token carries the application's scopes that the owner may hold. Raise
    ``Application.DoesNotExist`` when a concurrent request deleted it.
    """
    raw = tokens.generate(tokens.PERSONAL_PREFIX)
    granted = scopes.effective(application.scope_list, application.scope_list, owner)
    with transaction.atomic():
        # Lock the application so two regenerations cannot both leave a token,
        # and a deletion cannot leave one pointing at nothing.
        if (
            Application.objects.select_for_update().filter(pk=application.pk).first()
            is None
        ):
            raise Application.DoesNotExist("The application was deleted.")
        previous = AccessToken.objects.filter(
            application=application,
            user=owner,
            kind=AccessToken.Kind.PERSONAL,
            revoked_at__isnull=True,
        ).update(revoked_at=timezone.now())
        token = AccessToken(
            user=owner,
            application=application,
            kind=AccessToken.Kind.PERSONAL,
            scope=scopes.to_string(granted),
            expires=expires,
            prefix=tokens.public_prefix(raw),
        )
        token._raw_token = raw
        token.token = ""
        token.save()
        # In the same transaction: once it commits, a deletion may follow at once.
        record(
            Kind.PERSONAL_TOKEN_REGENERATED if previous else Kind.PERSONAL_TOKEN_ISSUED,
            request=request,
            actor=owner,
            user=owner,
            application=application,
            detail={
                "prefix": token.prefix,
                "expires": expires.isoformat() if expires else None,
            },
        )
    return token, raw


def personal_token(
    application: Application, owner: AbstractBaseUser
) -> AccessToken | None:
    """Return the owner's live personal token for an application, if any."""
    return (
        AccessToken.objects.filter(
            application=application,
            user=owner,
            kind=AccessToken.Kind.PERSONAL,
            revoked_at__isnull=True,
        )
        .order_by("-created")
        .first()
    )


# Revocation ---------------------------------------------------------------------


def revoke_token(
    token: AccessToken,
    *,
    actor: AbstractBaseUser | None,
    request: Any = None,
    by: str = "user",
) -> None:
    """Revoke one token and the refresh tokens of its family (RFC 7009 §2.1)."""
    now = timezone.now()
    with transaction.atomic():
        AccessToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=now
        )
        if token.token_family:
            RefreshToken.objects.filter(
                token_family=token.token_family, revoked__isnull=True
            ).update(revoked=now, updated=now)
    token.revoked_at = token.revoked_at or now
    record(
        Kind.TOKEN_REVOKED,
        request=request,
        actor=actor,
        user=token.user,
        application=token.application,
        detail={"prefix": token.prefix, "kind": token.kind, "by": by},
    )


def revoke_authorization(
    user: AbstractBaseUser,
    application: Application,
    *,
    actor: AbstractBaseUser | None,
    request: Any = None,
    by: str = "user",
) -> int:
    """Revoke every OAuth token, refresh token and pending code of an application
    for one user. Personal tokens are managed on the application's own page.

    Return the number of access tokens revoked.
    """
    now = timezone.now()
    with transaction.atomic():
        revoked = AccessToken.objects.filter(
            user=user,
            application=application,
            kind=AccessToken.Kind.ACCESS,
            revoked_at__isnull=True,
        ).update(revoked_at=now)
        RefreshToken.objects.filter(
            user=user, application=application, revoked__isnull=True
        ).update(revoked=now, updated=now)
        Grant.objects.filter(
            user=user, application=application, redeemed_at__isnull=True
        ).delete()
    record(
        Kind.GRANT_REVOKED,
        request=request,
        actor=actor,
        user=user,
        application=application,
        detail={"tokens": revoked, "by": by},
    )
    return revoked


def revoke_family(
    family: uuid.UUID | None,
    *,
    reason: str,
    request: Any = None,
    actor: AbstractBaseUser | None = None,
) -> int:
    """Revoke every access and refresh token descended from one authorization.

    ``reason`` is ``refresh_reuse`` when a rotated refresh token is presented
    again (RFC 9700 §4.14.2), ``code_replay`` when its code was (the caller
    records that), or who asked: ``client``, ``user`` or ``admin``.
    """
    if family is None:
        return 0

    now = timezone.now()
    with transaction.atomic():
        RefreshToken.objects.filter(token_family=family, revoked__isnull=True).update(
            revoked=now, updated=now
        )
        revoked = AccessToken.objects.filter(
            token_family=family, revoked_at__isnull=True
        ).update(revoked_at=now)
    member = (
        RefreshToken.objects.filter(token_family=family)
        .select_related("user", "application")
        .first()
    )
    if reason == "refresh_reuse" and member is not None:
        logger.warning(
            "refresh token reuse: family of application %s user %s revoked",
            member.application_id,
            member.user_id,
        )
        record(
            Kind.REFRESH_REUSE_DETECTED,
            request=request,
            user=member.user,
            application=member.application,
            detail={"tokens": revoked, "by": "system"},
        )
    elif reason in ("client", "user", "admin") and member is not None:
        record(
            Kind.TOKEN_REVOKED,
            request=request,
            actor=actor,
            user=member.user,
            application=member.application,
            detail={"prefix": member.prefix, "kind": "refresh", "by": reason},
        )
    return revoked


def revoke_tokens_of_replayed_code(grant: Grant) -> int:
    """Revoke what a code issued once it is presented again (RFC 6749 §4.1.2)."""
    families = set(
        AccessToken.objects.filter(grant=grant).values_list("token_family", flat=True)
    )
    revoked = sum(revoke_family(family, reason="code_replay") for family in families)
    logger.warning(
        "authorization code replayed: grant %s of application %s",
        grant.pk,
        grant.application_id,
    )
    record(
        Kind.CODE_REPLAYED,
        user=grant.user,
        application=grant.application,
        detail={"tokens": revoked, "by": "system"},
    )
    return revoked


def record_token_issued(token: AccessToken, request: Any, *, refreshed: bool) -> None:
    """Write the event of a token issued at the token endpoint."""
    record(
        Kind.TOKEN_ISSUED_BY_REFRESH if refreshed else Kind.TOKEN_ISSUED_BY_CODE,
        request=request,
        actor=token.user,
        user=token.user,
        application=token.application,
        detail={"prefix": token.prefix, "scopes": token.scope.split()},
    )


# Authorized applications --------------------------------------------------------


def already_granted(
    user: AbstractBaseUser,
    application: Application,
    wanted: set[str],
    redirect_uri: str,
) -> bool:
    """Tell whether ``user`` already granted ``application`` every scope in
    ``wanted`` for ``redirect_uri``: live OAuth tokens carry them, descended from
    a code that was sent to that same redirect URI.

    Two small queries, from the codes down, so that the cost follows the number
    of authorizations rather than the number of tokens.
    """
    codes = Grant.objects.filter(
        user=user,
        application=application,
        redirect_uri=redirect_uri,
        redeemed_at__isnull=False,
    )
    families = set(
        AccessToken.objects.filter(grant__in=codes).values_list(
            "token_family", flat=True
        )
    )
    families.discard(None)
    if not families:
        return False

    held: set[str] = set()
    for scope in (
        AccessToken.objects.filter(
            token_family__in=families,
            kind=AccessToken.Kind.ACCESS,
            revoked_at__isnull=True,
        )
        .values_list("scope", flat=True)
        .distinct()
    ):
        held |= scopes.leaves_of(scope)
    return bool(held) and wanted <= held


def authorized_applications(user: AbstractBaseUser) -> list[dict[str, Any]]:
    """Return the applications a user authorized through OAuth, one entry each.

    Each entry has the application, the scopes its live tokens carry, when it
    was first authorized and when it was last used. Three queries whatever the
    number of applications and tokens.
    """
    # Live, or expired with a live refresh token that can renew it.
    refreshable = Q(
        revoked_at__isnull=True,
        token_family__in=RefreshToken.objects.filter(
            user=user, revoked__isnull=True
        ).values("token_family"),
    )
    live = AccessToken.objects.filter(user=user, kind=AccessToken.Kind.ACCESS).filter(
        live_condition() | refreshable
    )
    summary = {
        row["application"]: row
        for row in live.values("application").annotate(
            first_authorized=Min("created"), last_used=Max("last_used_at")
        )
    }
    granted: dict[int, set[str]] = {}
    for application_id, scope in live.values_list("application", "scope").distinct():
        granted.setdefault(application_id, set()).update(scopes.leaves_of(scope))
    applications = Application.objects.filter(pk__in=summary).select_related("user")

    entries = [
        {
            "application": application,
            "scopes": scopes.to_string(granted.get(application.pk, set())).split(),
            "first_authorized": summary[application.pk]["first_authorized"],
            "last_used": summary[application.pk]["last_used"],
        }
        for application in applications
    ]
    entries.sort(key=lambda entry: entry["first_authorized"], reverse=True)
    return entries


def owned_applications(owner: AbstractBaseUser) -> list[dict[str, Any]]:
    """Return the applications a user registered, newest first, one entry each.

    Each entry has the application, when any of its tokens was last used and
    the owner's live personal token (or None). Two queries whatever the number
    of applications and tokens.
    """
    applications = list(
        Application.objects.filter(user=owner)
        .annotate(last_used=Max("accesstoken__last_used_at"))
        .order_by("-created", "-pk")
    )
    personal: dict[int, AccessToken] = {}
    if applications:
        for token in AccessToken.objects.filter(
            user=owner,
            kind=AccessToken.Kind.PERSONAL,
            revoked_at__isnull=True,
            application__in=[application.pk for application in applications],
        ).order_by("created", "pk"):
            personal[token.application_id] = token

    return [
        {
            "application": application,
            "last_used": application.last_used,
            "personal_token": personal.get(application.pk),
        }
        for application in applications
    ]


def revoke_all_authorizations(
    user: AbstractBaseUser,
    *,
    actor: AbstractBaseUser | None,
    request: Any = None,
    by: str = "user",
) -> int:
    """Revoke what every application authorized by ``user`` holds.

    Personal tokens stay: they belong to the applications the user registered.
    Return the number of applications whose access was revoked.
    """
    entries = authorized_applications(user)
    for entry in entries:
        revoke_authorization(
            user, entry["application"], actor=actor, request=request, by=by
        )
    return len(entries)


def holds_authorization(user: AbstractBaseUser, application: Application) -> bool:
    """Tell whether ``revoke_authorization`` would find anything to revoke: a
    live OAuth access token, a live refresh token or a pending code of
    ``application`` for ``user``. Personal tokens do not count."""
    return (
        AccessToken.objects.filter(
            user=user,
            application=application,
            kind=AccessToken.Kind.ACCESS,
            revoked_at__isnull=True,
        ).exists()
        or RefreshToken.objects.filter(
            user=user, application=application, revoked__isnull=True
        ).exists()
        or Grant.objects.filter(
            user=user, application=application, redeemed_at__isnull=True
        ).exists()
    )
