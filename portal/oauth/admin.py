"""The admin's review pages for applications, tokens and codes.

django-oauth-toolkit registers the swapped models with these classes (the
``*_ADMIN_CLASS`` entries of ``OAUTH2_PROVIDER``). Every page is read-only: a
token or a code is never shown beyond its public prefix, and nothing is
changed except through the actions, which act through the services and write
a security event naming the admin.
"""

from typing import Any

from django.contrib import admin, messages
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.audit.models import SecurityEvent
from portal.audit.review import (
    ClientIdFilter,
    EstimatedCountPaginator,
    LastUsedFilter,
    ScopeFilter,
    StateFilter,
    TokenStateFilter,
)
from portal.oauth import services
from portal.oauth.models import AccessToken, Application, Grant, RefreshToken

Kind = SecurityEvent.Kind
USER_SEARCH_FIELDS = ("user__username", "user__email")


class ReviewAdmin(admin.ModelAdmin):
    """Read-only pages over a possibly huge table; actions need the change
    permission of the model (``has_review_permission``)."""

    paginator = EstimatedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    list_per_page = 50

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: Any | None = None
    ) -> bool:
        return False

    def has_delete_permission(
        self, request: HttpRequest, obj: Any | None = None
    ) -> bool:
        # Rows leave through revocation and the retention clean-up only.
        return False

    def has_review_permission(self, request: HttpRequest) -> bool:
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")


class DisabledFilter(StateFilter):
    title = _("disabled")
    parameter_name = "disabled"
    states = (
        ("yes", _("disabled"), lambda: Q(disabled_at__isnull=False)),
        ("no", _("enabled"), lambda: Q(disabled_at__isnull=True)),
    )


class ApplicationAdmin(ReviewAdmin):
    list_display = (
        "name",
        "client_id",
        "user",
        "client_type",
        "trusted",
        "disabled_at",
        "created",
    )
    list_select_related = ("user",)
    list_filter = ("trusted", DisabledFilter, "client_type")
    search_fields = ("name", "=client_id", *USER_SEARCH_FIELDS)
    date_hierarchy = "created"
    ordering = ("-id",)
    fields = (
        "name",
        "client_id",
        "user",
        "client_type",
        "authorization_grant_type",
        "redirect_uris",
        "scope",
        "trusted",
        "disabled_at",
        "created",
        "updated",
        "users_granted",
        "live_tokens",
    )
    readonly_fields = fields
    actions = (
        "revoke_all_tokens",
        "disable_applications",
        "enable_applications",
        "mark_trusted",
    )

    @admin.display(description=_("users who granted it"))
    def users_granted(self, obj: Application) -> int:
        return AccessToken.objects.filter(
            application=obj, kind=AccessToken.Kind.ACCESS, revoked_at__isnull=True
        ).aggregate(users=Count("user", distinct=True))["users"]

    @admin.display(description=_("live tokens"))
    def live_tokens(self, obj: Application) -> str:
        count = (
            AccessToken.objects.filter(application=obj)
            .live()
            .aggregate(tokens=Count("pk"))["tokens"]
        )
        url = reverse("admin:oauth_accesstoken_changelist")
        query = urlencode({"client_id": obj.client_id, "state": "active"})
        return format_html('{} (<a href="{}?{}">{}</a>)', count, url, query, _("list"))

    @admin.action(
        description=_("Revoke every token of the selected applications"),
        permissions=["review"],
    )
    def revoke_all_tokens(self, request: HttpRequest, queryset: QuerySet) -> None:
        revoked = 0
        for application in queryset:
            revoked += services.revoke_application_tokens(
                application, actor=request.user, request=request
            )
        self.message_user(
            request,
            ngettext("Revoked %d token.", "Revoked %d tokens.", revoked) % revoked,
            messages.SUCCESS,
        )

    @admin.action(
        description=_("Disable the selected applications"), permissions=["review"]
    )
    def disable_applications(self, request: HttpRequest, queryset: QuerySet) -> None:
        changed = sum(
            services.set_application_disabled(
                application, True, actor=request.user, request=request
            )
            for application in queryset.filter(disabled_at__isnull=True)
        )
        self.message_user(
            request,
            ngettext(
                "Disabled %d application: its tokens stop working.",
                "Disabled %d applications: their tokens stop working.",
                changed,
            )
            % changed,
            messages.SUCCESS,
        )

    @admin.action(
        description=_("Enable the selected applications again"),
        permissions=["review"],
    )
    def enable_applications(self, request: HttpRequest, queryset: QuerySet) -> None:
        changed = sum(
            services.set_application_disabled(
                application, False, actor=request.user, request=request
            )
            for application in queryset.filter(disabled_at__isnull=False)
        )
        self.message_user(
            request,
            ngettext("Enabled %d application.", "Enabled %d applications.", changed)
            % changed,
            messages.SUCCESS,
        )

    @admin.action(
        description=_("Mark the selected applications trusted"),
        permissions=["review"],
    )
    def mark_trusted(self, request: HttpRequest, queryset: QuerySet) -> None:
        changed = sum(
            services.mark_application_trusted(
                application, actor=request.user, request=request
            )
            for application in queryset.filter(trusted=False)
        )
        self.message_user(
            request,
            ngettext(
                "Marked %d application trusted.",
                "Marked %d applications trusted.",
                changed,
            )
            % changed,
            messages.SUCCESS,
        )


class AccessTokenAdmin(ReviewAdmin):
    list_display = (
        "prefix",
        "kind",
        "user",
        "application",
        "scope",
        "created",
        "expires",
        "last_used_at",
        "last_used_ip",
        "state",
    )
    list_display_links = ("prefix",)
    list_select_related = ("user", "application")
    list_filter = (
        TokenStateFilter,
        ClientIdFilter,
        "kind",
        ScopeFilter,
        LastUsedFilter,
    )
    search_fields = (
        *USER_SEARCH_FIELDS,
        "application__name",
        "=application__client_id",
        "=prefix",
    )
    date_hierarchy = "created"
    ordering = ("-id",)
    # ``token`` and ``token_checksum`` are left out on purpose: not even the
    # digest is shown.
    fields = (
        "prefix",
        "kind",
        "state",
        "user",
        "application",
        "scope",
        "created",
        "expires",
        "revoked_at",
        "last_used_at",
        "last_used_ip",
        "token_family",
    )
    readonly_fields = fields
    actions = ("revoke_tokens",)

    @admin.display(description=_("state"))
    def state(self, obj: AccessToken) -> str:
        return obj.state

    @admin.action(description=_("Revoke the selected tokens"), permissions=["review"])
    def revoke_tokens(self, request: HttpRequest, queryset: QuerySet) -> None:
        revoked = 0
        for token in queryset.filter(revoked_at__isnull=True).select_related(
            "user", "application"
        ):
            services.revoke_token(
                token, actor=request.user, request=request, by="admin"
            )
            revoked += 1
        self.message_user(
            request,
            ngettext("Revoked %d token.", "Revoked %d tokens.", revoked) % revoked,
            messages.SUCCESS,
        )


class RefreshTokenStateFilter(StateFilter):
    states = (
        ("active", _("active"), lambda: Q(revoked__isnull=True)),
        ("revoked", _("revoked"), lambda: Q(revoked__isnull=False)),
    )


class RefreshTokenAdmin(ReviewAdmin):
    list_display = ("prefix", "user", "application", "created", "revoked", "state")
    list_display_links = ("prefix",)
    list_select_related = ("user", "application")
    list_filter = (RefreshTokenStateFilter, ClientIdFilter)
    search_fields = (
        *USER_SEARCH_FIELDS,
        "application__name",
        "=application__client_id",
        "=prefix",
    )
    date_hierarchy = "created"
    ordering = ("-id",)
    fields = (
        "prefix",
        "state",
        "user",
        "application",
        "created",
        "updated",
        "revoked",
        "token_family",
    )
    readonly_fields = fields
    actions = ("revoke_tokens",)

    @admin.display(description=_("state"))
    def state(self, obj: RefreshToken) -> str:
        return "revoked" if obj.revoked is not None else "active"

    @admin.action(
        description=_("Revoke the selected refresh tokens and their access tokens"),
        permissions=["review"],
    )
    def revoke_tokens(self, request: HttpRequest, queryset: QuerySet) -> None:
        revoked = 0
        families = queryset.filter(revoked__isnull=True).values_list(
            "token_family", flat=True
        )
        for family in families:
            services.revoke_family(
                family, reason="admin", actor=request.user, request=request
            )
            revoked += 1
        self.message_user(
            request,
            ngettext("Revoked %d refresh token.", "Revoked %d refresh tokens.", revoked)
            % revoked,
            messages.SUCCESS,
        )


class GrantStateFilter(StateFilter):
    states = (
        (
            "pending",
            _("pending"),
            lambda: Q(redeemed_at__isnull=True, expires__gt=timezone.now()),
        ),
        ("redeemed", _("redeemed"), lambda: Q(redeemed_at__isnull=False)),
        (
            "expired",
            _("expired"),
            lambda: Q(redeemed_at__isnull=True, expires__lte=timezone.now()),
        ),
    )


class GrantAdmin(ReviewAdmin):
    list_display = (
        "id",
        "user",
        "application",
        "scope",
        "created",
        "expires",
        "redeemed_at",
        "state",
    )
    list_select_related = ("user", "application")
    list_filter = (GrantStateFilter, ClientIdFilter)
    search_fields = (
        *USER_SEARCH_FIELDS,
        "application__name",
        "=application__client_id",
    )
    date_hierarchy = "created"
    ordering = ("-id",)
    # ``code`` (the code's digest) is left out on purpose.
    fields = (
        "user",
        "application",
        "scope",
        "redirect_uri",
        "created",
        "expires",
        "redeemed_at",
        "state",
    )
    readonly_fields = fields

    @admin.display(description=_("state"))
    def state(self, obj: Grant) -> str:
        if obj.redeemed_at is not None:
            return "redeemed"
        return "expired" if obj.is_expired() else "pending"
