"""The scope picker: the catalogue of scopes as a table of checkboxes."""

from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from portal.oauth import scopes

register = template.Library()


def _cell(
    category: scopes.Category, access: str, checked: set[str], limit: set[str]
) -> dict[str, Any]:
    scope_id = f"{access}:{category.id}"
    return {
        "id": scope_id,
        "label": scopes.LEAVES[scope_id].label,
        "access": access,
        "dom_id": "scope-" + scope_id.replace(":", "-"),
        "available": scope_id in limit,
        "checked": scope_id in checked,
    }


def picker_rows(selected: Iterable[str], limit: set[str]) -> list[dict[str, Any]]:
    """Return one row per category with a leaf in ``limit``, in catalogue order."""
    chosen = set(selected)
    checked = {
        leaf
        for leaf, scope in scopes.LEAVES.items()
        if leaf in chosen or scope.access in chosen
    }
    rows = []
    for category in [*scopes.CATEGORIES, *scopes.INSTANCE_CATEGORIES]:
        read = _cell(category, scopes.READ, checked, limit)
        write = _cell(category, scopes.WRITE, checked, limit)
        if read["available"] or write["available"]:
            rows.append(
                {
                    "category": category,
                    "read": read,
                    "write": write,
                    "cells": [read, write],
                    "instance": category.permission is not None,
                }
            )
    return rows


@register.inclusion_tag("settings/_scope_picker.html", takes_context=True)
def scope_picker(
    context: template.Context,
    selected: Iterable[str] | None,
    *,
    limit_to: Iterable[str] | None = None,
    parents: bool = True,
    errors: Any = None,
    live_url: str | None = None,
    legend: str | None = None,
) -> dict[str, Any]:
    """Render the picker for ``selected`` ids.

    The rows are the categories the signed-in user may hold, or those of
    ``limit_to`` (the leaves a consent screen asks for). ``parents`` adds the
    Read / Write column boxes, submitted as the ``read`` / ``write`` parents.
    A consent form posted back shows the boxes as the user left them.
    """
    request = context.get("request")
    user = getattr(request, "user", None)
    limit = (
        scopes.expand(limit_to) if limit_to is not None else scopes.user_may_hold(user)
    )
    if not parents and request is not None and request.method == "POST":
        selected = request.POST.getlist("scopes")
    chosen = list(selected or [])
    rows = picker_rows(chosen, limit)
    return {
        "rows": rows,
        "parents": parents,
        "read_all": scopes.READ in chosen,
        "write_all": scopes.WRITE in chosen,
        "has_read": any(row["read"]["available"] for row in rows),
        "has_write": any(row["write"]["available"] for row in rows),
        "errors": errors,
        "live_url": live_url,
        "legend": legend,
    }


@register.filter
def scope_summary(ids: Iterable[str]) -> list[dict[str, Any]]:
    """Summarise stored scope ids for a list: a parent reads as "everything",
    the leaves it does not cover are grouped per category with their badge."""
    chosen = list(ids)
    parents = [parent for parent in scopes.PARENTS if parent in chosen]
    if len(parents) == len(scopes.PARENTS):
        return [{"badge": "full", "label": _("Everything")}]

    summary: list[dict[str, Any]] = [
        {"badge": parent, "label": _("Everything")} for parent in parents
    ]
    leaves = [
        leaf
        for leaf in scopes.expand(chosen)
        if scopes.LEAVES[leaf].access not in parents
    ]
    for group in scopes.grouped(leaves):
        summary.append(
            {"badge": group["badge"], "label": capfirst(group["category"].label)}
        )
    return summary
