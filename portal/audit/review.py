"""Building blocks for the admin's review pages over large tables.

A pod can hold millions of tokens and events. The list pages must cost the
same few queries whatever the size of the table: no ``COUNT(*)`` over the
whole table, no filter that lists every application or user.
"""

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

from django.contrib import admin
from django.contrib.admin.views.main import PAGE_VAR, ChangeList
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from portal.oauth import scopes
from portal.oauth.models import live_condition


def _estimated_rows(queryset: QuerySet) -> int | None:
    """Return PostgreSQL's estimate of a table's rows, or None elsewhere."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
            [queryset.model._meta.db_table],
        )
        row = cursor.fetchone()
    # reltuples is -1 until the table was first vacuumed or analysed.
    return int(row[0]) if row and row[0] >= 0 else None


class EstimatedCountPaginator(Paginator):
    """A paginator that never counts a whole large table.

    Unfiltered, on PostgreSQL, the count is the planner's estimate once the
    table holds more than ``ESTIMATE_ABOVE`` rows. Otherwise the rows are
    counted up to ``CAP``: a filter matching more than that shows the first
    ``CAP`` rows only, and the admin is asked to narrow the filter.
    """

    CAP = 10_000
    ESTIMATE_ABOVE = 100_000

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        if not isinstance(queryset, QuerySet):
            return super().count

        query = queryset.query
        if not query.where and not query.distinct:
            estimate = _estimated_rows(queryset)
            if estimate is not None and estimate > self.ESTIMATE_ABOVE:
                return estimate

        # COUNT over a LIMIT subquery stops at CAP + 1 rows.
        return min(queryset.order_by()[: self.CAP + 1].count(), self.CAP)


class TextFilter(admin.SimpleListFilter):
    """A filter typed into a box rather than picked from a list of every value."""

    template = "admin/portal_text_filter.html"
    lookup: str = ""

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return []

    def has_output(self) -> bool:
        return True

    def choices(self, changelist: ChangeList) -> Iterator[dict[str, Any]]:
        kept = [
            (name, value)
            for name, value in changelist.params.items()
            if name not in (self.parameter_name, PAGE_VAR)
        ]
        yield {
            "parameter_name": self.parameter_name,
            "value": self.value() or "",
            "kept": kept,
            "clear_query_string": changelist.get_query_string(
                remove=[self.parameter_name]
            ),
        }

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = (self.value() or "").strip()
        if not value:
            return queryset
        return queryset.filter(**{self.lookup: value})


class ClientIdFilter(TextFilter):
    title = _("application (client id)")
    parameter_name = "client_id"
    lookup = "application__client_id"


class UsernameFilter(TextFilter):
    title = _("user (username)")
    parameter_name = "username"
    lookup = "user__username__iexact"


class StateFilter(admin.SimpleListFilter):
    """A filter over a few named states, each a condition on the row.

    Subclasses list ``states`` as ``(value, label, condition)``; a condition is
    a callable returning a ``Q`` so that one reading the clock is built per use.
    """

    title = _("state")
    parameter_name = "state"
    states: tuple[tuple[str, Any, Callable[[], Q]], ...] = ()

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [(value, label) for value, label, _condition in self.states]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        for value, _label, condition in self.states:
            if self.value() == value:
                return queryset.filter(condition())
        return queryset


class TokenStateFilter(StateFilter):
    states = (
        ("active", _("active"), live_condition),
        (
            "expired",
            _("expired"),
            lambda: Q(revoked_at__isnull=True, expires__lte=timezone.now()),
        ),
        ("revoked", _("revoked"), lambda: Q(revoked_at__isnull=False)),
    )


class LastUsedFilter(admin.SimpleListFilter):
    title = _("last used")
    parameter_name = "last_used"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [
            ("never", _("never")),
            ("30", _("over 30 days ago")),
            ("90", _("over 90 days ago")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if value == "never":
            return queryset.filter(last_used_at__isnull=True)
        if value in ("30", "90"):
            cutoff = timezone.now() - timedelta(days=int(value))
            return queryset.filter(last_used_at__lt=cutoff)
        return queryset


def scope_lookup(scope_id: str) -> Q:
    """Match a stored space-separated scope string that holds ``scope_id``."""
    return (
        Q(scope=scope_id)
        | Q(scope__startswith=f"{scope_id} ")
        | Q(scope__endswith=f" {scope_id}")
        | Q(scope__contains=f" {scope_id} ")
    )


class ScopeFilter(admin.SimpleListFilter):
    title = _("scope")
    parameter_name = "scope"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(leaf, leaf) for leaf in scopes.LEAVES]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if value not in scopes.LEAVES:
            return queryset
        return queryset.filter(scope_lookup(value))
