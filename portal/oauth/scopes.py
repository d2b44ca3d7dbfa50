"""The catalogue of OAuth scopes, modelled on Funkwhale's.

``read`` and ``write`` are parents: each implies its ``read:<x>`` / ``write:<x>``
children and never the other. ``instance:*`` children reach the pod's admin
features and are only ever held by staff with the matching permission. A pod
extends the catalogue by adding entries to ``CATEGORIES`` or ``INSTANCE_CATEGORIES``.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

READ = "read"
WRITE = "write"
PARENTS = (READ, WRITE)


@dataclass(frozen=True)
class Category:
    id: str
    label: str | Promise
    description: str | Promise
    # Django permission a staff member needs for the instance:* scopes of this
    # category; None for the categories every user may hold.
    permission: str | None = None


@dataclass(frozen=True)
class Scope:
    id: str
    access: str  # "read" or "write"
    category: Category

    @property
    def label(self) -> str:
        if self.access == READ:
            return str(_("Read %(category)s") % {"category": self.category.label})
        return str(_("Write %(category)s") % {"category": self.category.label})

    @property
    def description(self) -> str | Promise:
        return self.category.description

    @property
    def instance(self) -> bool:
        return self.category.permission is not None


CATEGORIES = [
    Category(
        "profile",
        _("profile"),
        _("Your profile: e-mail address, username, avatar and account settings."),
    ),
    Category(
        "libraries",
        _("libraries"),
        _("Your uploads, libraries and the audio metadata in them."),
    ),
    Category("edits", _("edits"), _("Browsing and submitting edits to metadata.")),
    Category("follows", _("follows"), _("The libraries and accounts you follow.")),
    Category("favorites", _("favorites"), _("The tracks you marked as favorite.")),
    Category("filters", _("filters"), _("Your content filters.")),
    Category("listenings", _("listenings"), _("Your listening history.")),
    Category("radios", _("radios"), _("Your radios.")),
    Category("playlists", _("playlists"), _("Your playlists.")),
    Category("notifications", _("notifications"), _("Your notifications.")),
    Category(
        "security",
        _("security"),
        _("Your security settings, applications and authorized apps."),
    ),
    Category("reports", _("reports"), _("The reports you filed to moderators.")),
]

INSTANCE_CATEGORIES = [
    Category(
        "instance:settings",
        _("pod settings"),
        _("The pod's settings."),
        "oauth.instance_settings",
    ),
    Category(
        "instance:users",
        _("pod users"),
        _("Every account of the pod."),
        "oauth.instance_settings",
    ),
    Category(
        "instance:invitations",
        _("invitations"),
        _("Invitations to join the pod."),
        "oauth.instance_settings",
    ),
    Category(
        "instance:edits",
        _("pod edits"),
        _("Metadata edits submitted on the pod."),
        "oauth.instance_library",
    ),
    Category(
        "instance:libraries",
        _("pod libraries"),
        _("Every library and upload of the pod."),
        "oauth.instance_library",
    ),
    Category(
        "instance:accounts",
        _("moderated accounts"),
        _("Moderation of local and remote accounts."),
        "oauth.instance_moderation",
    ),
    Category(
        "instance:domains",
        _("moderated domains"),
        _("Moderation of federated domains."),
        "oauth.instance_moderation",
    ),
    Category(
        "instance:policies",
        _("moderation policies"),
        _("Moderation rules applied to accounts and domains."),
        "oauth.instance_moderation",
    ),
    Category(
        "instance:reports",
        _("moderation reports"),
        _("Reports filed by the pod's users."),
        "oauth.instance_moderation",
    ),
    Category(
        "instance:requests",
        _("moderation requests"),
        _("Requests awaiting a moderator's decision."),
        "oauth.instance_moderation",
    ),
    Category(
        "instance:notes",
        _("moderation notes"),
        _("Notes moderators keep about accounts and domains."),
        "oauth.instance_moderation",
    ),
]


def _build() -> dict[str, Scope]:
    leaves: dict[str, Scope] = {}
    for category in [*CATEGORIES, *INSTANCE_CATEGORIES]:
        for access in PARENTS:
            scope = Scope(f"{access}:{category.id}", access, category)
            leaves[scope.id] = scope
    return leaves


LEAVES: dict[str, Scope] = _build()
ALL_IDS: frozenset[str] = frozenset([*PARENTS, *LEAVES])
PARENT_LABELS = {
    READ: _("Read everything your account can read"),
    WRITE: _("Change everything your account can change"),
}


class InvalidScope(ValueError):
    """A scope string names an id the catalogue does not know."""

    def __init__(self, unknown: Iterable[str]) -> None:
        self.unknown = sorted(set(unknown))
        super().__init__("Unknown scope: " + ", ".join(self.unknown))


def parse(value: str | Iterable[str] | None) -> list[str]:
    """Split a scope string (RFC 6749 §3.3) into ids, refusing unknown ones.

    Duplicates are dropped and the order of first appearance kept.
    """
    if value is None:
        return []
    items = value.replace(",", " ").split() if isinstance(value, str) else value
    ids = list(dict.fromkeys(item for item in items if item))
    unknown = [item for item in ids if item not in ALL_IDS]
    if unknown:
        raise InvalidScope(unknown)
    return ids


def expand(ids: Iterable[str]) -> set[str]:
    """Return the leaf ids that the given ids grant (parents to their children)."""
    leaves: set[str] = set()
    for scope_id in ids:
        if scope_id in PARENTS:
            leaves.update(leaf for leaf, s in LEAVES.items() if s.access == scope_id)
        elif scope_id in LEAVES:
            leaves.add(scope_id)
    return leaves


@lru_cache(maxsize=4096)
def leaves_of(scope_string: str) -> frozenset[str]:
    """Return the leaves of a stored scope string; cached for the bearer path."""
    return frozenset(expand(scope_string.split()))


def to_string(leaves: Iterable[str]) -> str:
    """Return leaves as a stored scope string, in catalogue order."""
    order = {leaf: index for index, leaf in enumerate(LEAVES)}
    return " ".join(sorted(set(leaves), key=lambda leaf: order.get(leaf, -1)))


def user_may_hold(user: AbstractBaseUser | AnonymousUser | None) -> set[str]:
    """Return the leaf ids that ``user`` may ever receive in a token."""
    held = {leaf for leaf, scope in LEAVES.items() if not scope.instance}
    if user is None or not user.is_active or not user.is_staff:
        return held
    for leaf, scope in LEAVES.items():
        if scope.instance and user.has_perm(scope.category.permission):
            held.add(leaf)
    return held


def effective(
    requested: Iterable[str],
    application_scopes: Iterable[str],
    user: AbstractBaseUser | AnonymousUser | None,
) -> set[str]:
    """Return the leaves a token really carries: requested ∩ application ∩ user."""
    return expand(requested) & expand(application_scopes) & user_may_hold(user)


def grouped(ids: Iterable[str]) -> list[dict]:
    """Group the leaves granted by ``ids`` per category, for the pages.

    Each group has the category, whether read and write are included, and a badge:
    "read", "write" or "full" (both).
    """
    leaves = expand(ids)
    groups = []
    for category in [*CATEGORIES, *INSTANCE_CATEGORIES]:
        read = f"{READ}:{category.id}" in leaves
        write = f"{WRITE}:{category.id}" in leaves
        if not (read or write):
            continue
        badge = "full" if read and write else ("write" if write else "read")
        groups.append(
            {"category": category, "read": read, "write": write, "badge": badge}
        )
    return groups


class CatalogueScopes:
    """django-oauth-toolkit's scopes backend, answered from the catalogue."""

    def get_all_scopes(self) -> dict[str, str]:
        labels = {scope_id: str(label) for scope_id, label in PARENT_LABELS.items()}
        labels.update({scope_id: scope.label for scope_id, scope in LEAVES.items()})
        return labels

    def get_available_scopes(
        self, application: object = None, request: object = None, *args, **kwargs
    ) -> list[str]:
        return sorted(ALL_IDS)

    def get_default_scopes(
        self, application: object = None, request: object = None, *args, **kwargs
    ) -> list[str]:
        if application is not None:
            return application.scope.split()
        return [READ]
