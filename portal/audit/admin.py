import json

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from portal.audit.models import SecurityEvent
from portal.audit.review import ClientIdFilter, EstimatedCountPaginator, UsernameFilter


@admin.register(SecurityEvent)
class SecurityEventAdmin(admin.ModelAdmin):
    """The security log, read-only: events are written by the services alone."""

    list_display = (
        "created",
        "kind",
        "actor",
        "user",
        "application_name",
        "ip",
        "summary",
    )
    list_select_related = ("actor", "user")
    list_filter = ("kind", UsernameFilter, ClientIdFilter, "created")
    search_fields = ("user__username", "user__email", "application_name")
    date_hierarchy = "created"
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    list_per_page = 50
    fields = (
        "created",
        "kind",
        "actor",
        "user",
        "application",
        "application_name",
        "ip",
        "user_agent",
        "summary",
    )
    readonly_fields = fields

    @admin.display(description=_("detail"))
    def summary(self, obj: SecurityEvent) -> str:
        return json.dumps(obj.detail, sort_keys=True) if obj.detail else ""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: SecurityEvent | None = None
    ) -> bool:
        return False

    def has_delete_permission(
        self, request: HttpRequest, obj: SecurityEvent | None = None
    ) -> bool:
        return False
