"""The staff's authentication backends answer as Django's ModelBackend, in fewer queries."""

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from apoc.accounts.backends import IdentityProviderBackend, PasswordBackend, StaffBackend
from tests.factories import (
    CaseworkerFactory,
    NationalAdminFactory,
    SupervisorFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _with_own_permission(user):
    user.user_permissions.add(Permission.objects.get(codename="view_auditentry"))
    return user


@pytest.mark.parametrize(
    "make",
    [
        CaseworkerFactory,
        SupervisorFactory,
        NationalAdminFactory,
        UserFactory,  # no group
        lambda: _with_own_permission(CaseworkerFactory()),  # a permission of their own too
        lambda: UserFactory(is_superuser=True),
        lambda: CaseworkerFactory(is_active=False),
    ],
    ids=["caseworker", "supervisor", "national", "none", "own", "superuser", "inactive"],
)
@pytest.mark.parametrize("backend", [StaffBackend, PasswordBackend, IdentityProviderBackend])
def test_the_permissions_are_djangos(make, backend):
    user = make()
    ours = backend().get_all_permissions(type(user).objects.get(pk=user.pk))
    djangos = ModelBackend().get_all_permissions(type(user).objects.get(pk=user.pk))
    assert ours == djangos
    if user.is_active and (user.groups.exists() or user.is_superuser):
        assert ours  # the comparison above compared something


def test_a_group_permission_given_later_counts_on_the_next_request():
    user = CaseworkerFactory()
    backend = StaffBackend()
    assert not backend.has_perm(type(user).objects.get(pk=user.pk), "audit.view_auditentry")
    Group.objects.get(name="sagsbehandler").permissions.add(
        Permission.objects.get(codename="view_auditentry")
    )
    assert backend.has_perm(type(user).objects.get(pk=user.pk), "audit.view_auditentry")


def test_the_permissions_are_one_query(django_assert_num_queries):
    user = SupervisorFactory()
    fresh = type(user).objects.get(pk=user.pk)
    with django_assert_num_queries(1):
        StaffBackend().get_all_permissions(fresh)
        StaffBackend().get_all_permissions(fresh)  # kept on the user for the request


def test_the_user_comes_with_the_jobcentre(django_assert_num_queries):
    user = CaseworkerFactory()
    with django_assert_num_queries(1):
        loaded = PasswordBackend().get_user(user.pk)
        assert loaded.jobcentre.name == user.jobcentre.name
    assert PasswordBackend().get_user(user.pk + 1000) is None
    user.is_active = False
    user.save()
    assert PasswordBackend().get_user(user.pk) is None


def test_a_page_loads_the_user_and_jobcentre_at_once(client):
    user = CaseworkerFactory()
    client.force_login(user, backend="apoc.accounts.backends.PasswordBackend")
    response = client.get(reverse("registrations:intake"))
    assert response.status_code == 200
    assert response.wsgi_request.user.jobcentre == user.jobcentre
    assert "jobcentre" in response.wsgi_request.user._state.fields_cache
