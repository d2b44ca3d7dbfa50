import pytest
from django.contrib.auth.models import AnonymousUser, Permission

from portal.oauth import scopes


def test_parents_imply_their_own_children_only():
    read = scopes.expand(["read"])

    assert "read:profile" in read
    assert "read:instance:settings" in read
    assert not any(leaf.startswith("write:") for leaf in read)
    assert scopes.expand(["write"]).isdisjoint(read)


def test_unknown_scope_ids_are_rejected_not_dropped():
    with pytest.raises(scopes.InvalidScope) as raised:
        scopes.parse("read write:nothing admin")

    assert raised.value.unknown == ["admin", "write:nothing"]


def test_parse_accepts_commas_and_drops_duplicates():
    assert scopes.parse("read,read write:profile") == ["read", "write:profile"]


@pytest.mark.django_db
def test_a_regular_user_never_holds_instance_scopes(owner):
    granted = scopes.effective(["read", "write"], ["read", "write"], owner)

    assert "write:profile" in granted
    assert not any(":instance:" in leaf for leaf in granted)


@pytest.mark.django_db
def test_staff_hold_instance_scopes_only_with_the_permission(owner):
    owner.is_staff = True
    owner.save()
    owner.user_permissions.add(Permission.objects.get(codename="instance_moderation"))
    owner = type(owner).objects.get(pk=owner.pk)

    granted = scopes.effective(["read"], ["read"], owner)

    assert "read:instance:reports" in granted
    assert "read:instance:settings" not in granted


def test_effective_scopes_are_the_intersection_of_request_app_and_user():
    granted = scopes.effective(
        ["read:profile", "write:profile", "read:favorites"],
        ["read"],
        AnonymousUser(),
    )

    assert granted == {"read:profile", "read:favorites"}


def test_every_scope_has_a_label_and_a_description():
    for scope in scopes.LEAVES.values():
        assert scope.label
        assert str(scope.description)
