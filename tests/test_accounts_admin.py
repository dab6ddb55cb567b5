"""Staff users and jobcentres in admin: national administrators only.

Nobody becomes somebody else through the admin: an account with more rights
than yours is read-only to you, nobody gives rights they do not have (their own
account included), and nobody types another person's password: a one-time link
goes to the person's own e-mail address.
"""

import re
import smtplib
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from apoc.accounts import services
from apoc.accounts.models import Jobcentre, User
from apoc.audit.models import Action, AuditEntry
from tests.factories import (
    CaseworkerFactory,
    JobcentreFactory,
    NationalAdminFactory,
    SupervisorFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PASSWORD = "korrekt-hest-batteri-klips"  # tests.factories.UserFactory's
NEW_PASSWORD = "Blå-Kaffekande-Mod-Øst-71"


@pytest.fixture(autouse=True)
def danish():
    with translation.override("da"):
        yield


@pytest.fixture
def national():
    return NationalAdminFactory(username="niels", email="niels@example.dk")


@pytest.fixture
def national_client(client, national):
    client.force_login(national)
    return client


def change_url(user):
    return reverse("admin:accounts_user_change", args=[user.pk])


def change_data(user, **overrides):
    """The change form as the admin would post it for ``user``, with ``overrides``
    (None leaves a field out, as a browser leaves out an unticked box)."""
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "jobcentre": user.jobcentre_id or "",
        "is_active": "on" if user.is_active else None,
        "is_staff": "on" if user.is_staff else None,
        "groups": [g.pk for g in user.groups.all()],
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def extra_role(name="brugerrolle", *perms):
    """A group with permissions a national administrator does not have."""
    group = Group.objects.create(name=name)
    for perm in perms or ("auth.change_group",):
        app, codename = perm.split(".")
        group.permissions.add(
            Permission.objects.get(content_type__app_label=app, codename=codename)
        )
    return group


def snapshot(user):
    user.refresh_from_db()
    return (
        user.password,
        user.email,
        user.jobcentre_id,
        user.is_active,
        user.is_staff,
        user.is_superuser,
        sorted(user.groups.values_list("name", flat=True)),
        sorted(user.user_permissions.values_list("codename", flat=True)),
    )


def send_link(client, *users):
    return client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "send_password_link", "_selected_action": [u.pk for u in users]},
        follow=True,
    )


def link_in(message):
    return re.search(r"https?://\S+/adgangskode/\S+/\S+/", message.body).group(0)


# --- What was there -------------------------------------------------------------------------


def test_supervisor_cannot_manage_users_or_jobcentres(client):
    client.force_login(SupervisorFactory(jobcentre=JobcentreFactory()))
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 403
    assert client.get(reverse("admin:accounts_jobcentre_changelist")).status_code == 403


def test_national_administrator_cannot_make_a_superuser(national_client):
    user = UserFactory(jobcentre=JobcentreFactory())
    response = national_client.get(change_url(user))
    assert response.status_code == 200
    readonly = response.context["adminform"].readonly_fields
    assert "is_superuser" in readonly and "user_permissions" in readonly


def test_no_one_deletes_staff_or_jobcentres(national_client):
    user = UserFactory(jobcentre=JobcentreFactory())
    assert (
        national_client.get(reverse("admin:accounts_user_delete", args=[user.pk])).status_code
        == 403
    )
    jobcentre = Jobcentre.objects.get(municipality_code="101")
    assert (
        national_client.get(
            reverse("admin:accounts_jobcentre_delete", args=[jobcentre.pk])
        ).status_code
        == 403
    )
    assert national_client.get(reverse("admin:accounts_jobcentre_add")).status_code == 403


def test_national_administrator_edits_a_jobcentres_contact_data_not_its_code(national_client):
    jobcentre = Jobcentre.objects.get(municipality_code="101")
    response = national_client.post(
        reverse("admin:accounts_jobcentre_change", args=[jobcentre.pk]),
        {
            "municipality_code": "999",
            "name": jobcentre.name,
            "address": jobcentre.address,
            "phone": "33 33 33 33",
            "email": "jobcenter@kk.dk",
        },
    )
    assert response.status_code == 302
    jobcentre.refresh_from_db()
    assert jobcentre.phone == "33 33 33 33"
    assert jobcentre.municipality_code == "101"


# --- A new account: no password typed, a link sent -------------------------------------------


def test_national_administrator_creates_a_caseworker_who_gets_a_link(national_client):
    """Policy changed on purpose: the administrator no longer types the new user's password."""
    odense = Jobcentre.objects.get(municipality_code="461")
    response = national_client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "ny-sagsbehandler",
            "email": "ny@odense.dk",
            "jobcentre": odense.pk,
            # A crafted POST with the old form's password fields: ignored.
            "usable_password": "true",
            "password1": "en-lang-og-god-adgangskode",
            "password2": "en-lang-og-god-adgangskode",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(username="ny-sagsbehandler")
    assert user.jobcentre == odense
    assert not user.has_usable_password()
    assert not user.check_password("en-lang-og-god-adgangskode")
    assert [m.to for m in mail.outbox] == [["ny@odense.dk"]]
    actions = set(
        AuditEntry.objects.filter(subject_type="accounts.user", subject_id=user.pk).values_list(
            "action", flat=True
        )
    )
    assert actions == {Action.ACCOUNT_UPDATE, Action.PASSWORD_LINK}


def test_the_add_form_has_no_password_and_needs_an_address(national_client):
    response = national_client.get(reverse("admin:accounts_user_add"))
    fields = response.context["adminform"].form.fields
    assert not {"password1", "password2", "usable_password"} & set(fields)
    response = national_client.post(
        reverse("admin:accounts_user_add"), {"username": "uden-post", "jobcentre": ""}
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["email"]
    assert not User.objects.filter(username="uden-post").exists()


# --- The probe: becoming a superuser or a caseworker ------------------------------------------


def test_a_national_administrator_cannot_touch_a_superuser(national_client):
    """The probe: a national administrator set a superuser's password and logged in as them."""
    root = UserFactory(
        username="root", is_superuser=True, is_staff=True, jobcentre=None, email="root@apoc.dk"
    )
    before = snapshot(root)
    response = national_client.get(change_url(root))
    assert response.status_code == 200  # to see, not to change
    assert response.context["has_change_permission"] is False
    for data in (
        change_data(root, email="niels@example.dk"),
        change_data(root, is_active=None),
        change_data(root, is_staff=None),
        change_data(root, jobcentre=Jobcentre.objects.get(municipality_code="101").pk),
        change_data(root, groups=[Group.objects.get(name="sagsbehandler").pk]),
    ):
        assert national_client.post(change_url(root), data).status_code == 403
    password_url = reverse("admin:auth_user_password_change", args=[root.pk])
    assert national_client.get(password_url).status_code == 403
    response = national_client.post(
        password_url,
        {"usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 403
    page = send_link(national_client, root).content.decode()
    assert "har flere rettigheder end din egen" in page
    assert mail.outbox == []
    assert snapshot(root) == before
    assert Client().login(username="root", password=NEW_PASSWORD) is False


def test_no_one_types_another_persons_password(national_client):
    """The probe: the same worked against any caseworker, whose name then stood in the log."""
    caseworker = CaseworkerFactory(username="aarhus_sb", email="sb@aarhus.dk")
    password_url = reverse("admin:auth_user_password_change", args=[caseworker.pk])
    assert national_client.get(password_url).status_code == 403
    response = national_client.post(
        password_url,
        {"usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 403
    # Nor through the change form.
    response = national_client.post(
        change_url(caseworker),
        change_data(caseworker, password=NEW_PASSWORD, password1=NEW_PASSWORD),
    )
    assert response.status_code == 302
    caseworker.refresh_from_db()
    assert caseworker.check_password(PASSWORD)
    assert not caseworker.check_password(NEW_PASSWORD)
    form = national_client.get(change_url(caseworker)).context["adminform"].form
    assert "password" not in form.fields


def test_ones_own_password_is_changed_with_the_old_one(national_client, national):
    response = national_client.get(reverse("admin:auth_user_password_change", args=[national.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:password_change")
    response = national_client.post(
        reverse("admin:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    national.refresh_from_db()
    assert national.check_password(NEW_PASSWORD)


# --- More rights than yours -----------------------------------------------------------------


def test_an_account_with_a_permission_the_administrator_lacks_is_read_only(national_client):
    caseworker = CaseworkerFactory(email="cw@kk.dk")
    caseworker.user_permissions.add(Permission.objects.get(codename="change_group"))
    before = snapshot(caseworker)
    response = national_client.post(
        change_url(caseworker), change_data(caseworker, email="niels@example.dk")
    )
    assert response.status_code == 403
    assert snapshot(caseworker) == before
    send_link(national_client, caseworker)
    assert mail.outbox == []


def test_an_inactive_account_keeps_its_rights_in_the_comparison(national_client):
    """Django's backend sees no permissions on an inactive user; the rule reads the stored ones."""
    root = UserFactory(is_superuser=True, is_staff=True, is_active=False, jobcentre=None)
    stronger = CaseworkerFactory(is_active=False)
    stronger.groups.add(extra_role())
    for user in (root, stronger):
        before = snapshot(user)
        response = national_client.post(change_url(user), change_data(user, is_active="on"))
        assert response.status_code == 403
        assert snapshot(user) == before


def test_no_one_gives_rights_they_do_not_have(national_client):
    caseworker = CaseworkerFactory()
    stronger = extra_role()
    before = snapshot(caseworker)
    form = national_client.get(change_url(caseworker)).context["adminform"].form
    assert stronger not in form.fields["groups"].queryset  # not offered
    response = national_client.post(
        change_url(caseworker), change_data(caseworker, groups=[stronger.pk])
    )
    assert response.status_code == 200  # the form again, with its error
    assert snapshot(caseworker) == before
    # A single permission or superuser, posted although the fields are read-only: ignored.
    response = national_client.post(
        change_url(caseworker),
        change_data(
            caseworker,
            is_superuser="on",
            user_permissions=[Permission.objects.get(codename="change_group").pk],
        ),
    )
    assert response.status_code == 302
    assert snapshot(caseworker) == before


def test_no_one_raises_their_own_rights(national_client, national):
    stronger = extra_role()
    before = snapshot(national)
    groups = [*national.groups.values_list("pk", flat=True), stronger.pk]
    response = national_client.post(change_url(national), change_data(national, groups=groups))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["groups"]  # not one of the choices
    response = national_client.post(change_url(national), change_data(national, is_staff=None))
    assert response.status_code == 302  # giving up rights is allowed
    national.is_staff = True
    national.save()
    response = national_client.post(change_url(national), change_data(national, is_superuser="on"))
    assert response.status_code == 302
    assert snapshot(national) == before


def test_the_service_refuses_what_the_form_would_not_offer(national):
    """The rule lives in the service: any caller, not only the admin's form, is refused."""
    caseworker = CaseworkerFactory()
    stronger = extra_role()
    with pytest.raises(services.AccountError) as err:
        services.check_account_change(
            actor=national,
            target=caseworker,
            rights=services.proposed_rights(
                superuser=False, staff=False, group_ids=[stronger.pk], permission_ids=[]
            ),
            jobcentre_id=caseworker.jobcentre_id,
        )
    assert err.value.code == "accounts.rights_not_yours"
    with pytest.raises(services.AccountError) as err:
        services.check_account_change(
            actor=national,
            target=national,
            rights=services.proposed_rights(
                superuser=True, staff=True, group_ids=[], permission_ids=[]
            ),
            jobcentre_id=None,
        )
    assert err.value.code == "accounts.rights_not_yours"
    root = UserFactory(is_superuser=True, jobcentre=None)
    with pytest.raises(services.AccountError) as err:
        services.check_may_manage(actor=national, target=root)
    assert err.value.code == "accounts.outranked"


def test_a_change_that_saves_more_rights_is_rolled_back(national_client, monkeypatch):
    """The saved result is checked again inside the admin's transaction."""
    caseworker = CaseworkerFactory()
    stronger = extra_role()
    before = snapshot(caseworker)
    # A form check that lets anything through, as a bug in it would.
    monkeypatch.setattr(services, "check_account_change", lambda **kwargs: None)
    monkeypatch.setattr("apoc.accounts.admin.UserAdmin.formfield_for_manytomany", _all_groups)
    response = national_client.post(
        change_url(caseworker), change_data(caseworker, groups=[stronger.pk])
    )
    assert response.status_code == 403
    assert snapshot(caseworker) == before


def _all_groups(self, db_field, request, **kwargs):
    from django.contrib.auth.admin import UserAdmin

    return super(UserAdmin, self).formfield_for_manytomany(db_field, request, **kwargs)


def test_an_administrator_with_fewer_rights_manages_only_accounts_within_them(client):
    """Not a subset: a user administrator without the caseworker's permissions, one jobcentre."""
    kk = Jobcentre.objects.get(municipality_code="101")
    odense = Jobcentre.objects.get(municipality_code="461")
    admin_role = Group.objects.create(name="brugeradministrator")
    for codename in ("view_user", "change_user", "add_user"):
        admin_role.permissions.add(Permission.objects.get(codename=codename))
    limited = UserFactory(jobcentre=kk, is_staff=True)
    limited.groups.add(admin_role)
    client.force_login(limited)
    caseworker = CaseworkerFactory(jobcentre=kk)
    plain = UserFactory(jobcentre=kk, email="plain@kk.dk")
    elsewhere = UserFactory(jobcentre=odense)
    before = snapshot(caseworker)
    response = client.post(change_url(caseworker), change_data(caseworker, first_name="X"))
    assert response.status_code == 403  # the caseworker can do what this administrator cannot
    assert snapshot(caseworker) == before
    response = client.post(change_url(plain), change_data(plain, jobcentre=odense.pk))
    assert response.status_code == 200  # not a jobcentre this administrator has
    plain.refresh_from_db()
    assert plain.jobcentre == kk
    teamleder = Group.objects.get(name="teamleder")
    response = client.post(change_url(plain), change_data(plain, groups=[teamleder.pk]))
    assert response.status_code == 200
    assert not plain.groups.exists()
    assert client.post(change_url(elsewhere), change_data(elsewhere)).status_code in (302, 404)
    elsewhere.refresh_from_db()
    assert elsewhere.jobcentre == odense
    response = client.post(change_url(plain), change_data(plain, first_name="Ny"))
    assert response.status_code == 302


def test_a_national_administrator_manages_equal_and_lesser_accounts_and_it_is_logged(
    national_client, national
):
    caseworker = CaseworkerFactory(email="cw@kk.dk")
    odense = Jobcentre.objects.get(municipality_code="461")
    teamleder = Group.objects.get(name="teamleder")
    response = national_client.post(
        change_url(caseworker),
        change_data(caseworker, jobcentre=odense.pk, groups=[teamleder.pk], is_staff="on"),
    )
    assert response.status_code == 302
    caseworker.refresh_from_db()
    assert caseworker.jobcentre == odense and caseworker.is_staff
    entry = AuditEntry.objects.get(action=Action.ACCOUNT_UPDATE, subject_id=caseworker.pk)
    assert entry.username == "niels"
    assert entry.criteria["groups"] == {"from": ["sagsbehandler"], "to": ["teamleder"]}
    assert entry.criteria["jobcentre_id"]["to"] == odense.pk
    other_national = NationalAdminFactory()
    response = national_client.post(
        change_url(other_national), change_data(other_national, first_name="Nina")
    )
    assert response.status_code == 302


# --- The link to choose a password ------------------------------------------------------------


def test_the_link_lets_the_person_choose_a_password_once(national_client, client):
    caseworker = CaseworkerFactory(username="aarhus_sb", email="sb@aarhus.dk")
    admin_page = send_link(national_client, caseworker).content.decode()
    assert "Et link til at vælge adgangskode er sendt til sb@aarhus.dk." in admin_page
    [message] = mail.outbox
    assert message.to == ["sb@aarhus.dk"]
    assert "aarhus_sb" in message.body and "niels" in message.body
    link = link_in(message)
    assert link.split("/")[-2] not in admin_page  # the administrator never sees the token
    entry = AuditEntry.objects.get(action=Action.PASSWORD_LINK)
    assert (entry.username, entry.subject_id) == ("niels", caseworker.pk)
    assert entry.criteria == {"email": "sb@aarhus.dk", "valid_hours": 24}

    person = Client()
    response = person.get(link)
    assert response.status_code == 302  # the token moves into the session, out of the URL
    form_url = response["Location"]
    assert "set-password" in form_url
    response = person.post(
        form_url, {"new_password1": "Sommer2026!!", "new_password2": "Sommer2026!!"}
    )
    assert response.status_code == 200  # refused: guessable
    response = person.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("password_set_done")
    caseworker.refresh_from_db()
    assert caseworker.check_password(NEW_PASSWORD)
    entry = AuditEntry.objects.get(action=Action.PASSWORD_SET)
    assert (entry.username, entry.subject_id) == ("aarhus_sb", caseworker.pk)
    # Once only.
    again = Client().get(link)
    assert again.status_code == 200
    assert again.context["validlink"] is False


def test_the_link_expires(national_client, monkeypatch):
    caseworker = CaseworkerFactory(email="sb@aarhus.dk")
    send_link(national_client, caseworker)
    link = link_in(mail.outbox[0])
    later = services.set_password_tokens._now() + timedelta(hours=24, minutes=1)
    monkeypatch.setattr(services.set_password_tokens, "_now", lambda: later)
    response = Client().get(link)
    assert response.status_code == 200
    assert response.context["validlink"] is False


@pytest.mark.parametrize("change", ["email", "deactivate", "login"])
def test_the_link_ends_when_the_account_changes(national_client, change):
    caseworker = CaseworkerFactory(email="sb@aarhus.dk")
    send_link(national_client, caseworker)
    link = link_in(mail.outbox[0])
    if change == "email":
        caseworker.email = "ny@aarhus.dk"
    elif change == "deactivate":
        caseworker.is_active = False
    else:
        caseworker.last_login = timezone.now()
    caseworker.save()
    response = Client().get(link)
    assert response.status_code == 200
    assert response.context["validlink"] is False


def test_no_link_without_an_address_or_to_an_inactive_account(national_client):
    without = CaseworkerFactory(email="")
    inactive = CaseworkerFactory(email="x@kk.dk", is_active=False)
    page = send_link(national_client, without, inactive).content.decode()
    assert "har ingen e-mailadresse" in page
    assert "er deaktiveret" in page
    assert mail.outbox == []
    assert not AuditEntry.objects.filter(action=Action.PASSWORD_LINK).exists()


def test_a_mail_server_that_fails_is_a_message_not_an_error_page(national_client, monkeypatch):
    def fail(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("gone")

    monkeypatch.setattr(services, "send_mail", fail)
    response = send_link(national_client, CaseworkerFactory(email="cw@kk.dk"))
    assert response.status_code == 200
    assert "kunne ikke sendes" in response.content.decode()
    assert not AuditEntry.objects.filter(action=Action.PASSWORD_LINK).exists()


def test_a_forged_link_is_refused(client):
    caseworker = CaseworkerFactory()
    response = client.get(reverse("password_set", args=["MQ", "1-abc"]))
    assert response.context["validlink"] is False
    response = client.post(
        reverse("password_set", args=[caseworker.pk, "set-password"]),
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.context["validlink"] is False
    caseworker.refresh_from_db()
    assert caseworker.check_password(PASSWORD)


def test_the_old_address_is_told_when_somebody_else_changes_it(
    national_client, national, django_capture_on_commit_callbacks
):
    """A changed address and a link would take an account over: the old address hears of it."""
    caseworker = CaseworkerFactory(username="aarhus_sb", email="sb@aarhus.dk")
    with django_capture_on_commit_callbacks(execute=True):
        response = national_client.post(
            change_url(caseworker), change_data(caseworker, email="ny@example.dk")
        )
    assert response.status_code == 302
    [notice] = mail.outbox
    assert notice.to == ["sb@aarhus.dk"]
    assert "niels" in notice.body and "ny@example.dk" in notice.body
    entry = AuditEntry.objects.get(action=Action.ACCOUNT_UPDATE, subject_id=caseworker.pk)
    assert entry.criteria["email"] == {"from": "sb@aarhus.dk", "to": "ny@example.dk"}
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = national_client.post(change_url(national), change_data(national, email="n@x.dk"))
    assert response.status_code == 302
    assert mail.outbox == []  # one's own address: nobody else to tell


def change(national_client, jobcentre, **fields):
    data = {
        "name": jobcentre.name,
        "address": jobcentre.address,
        "phone": jobcentre.phone,
        "email": jobcentre.email,
        "opening_hours": jobcentre.opening_hours,
        **fields,
    }
    return national_client.post(
        reverse("admin:accounts_jobcentre_change", args=[jobcentre.pk]), data
    )


def test_the_opening_hours_are_stored_the_one_way_apoc_writes_them(national_client):
    jobcentre = Jobcentre.objects.get(municipality_code="101")
    response = change(national_client, jobcentre, opening_hours="Mandag-torsdag kl. 9-15, fre 9-13")
    assert response.status_code == 302
    jobcentre.refresh_from_db()
    assert jobcentre.opening_hours == "man–tor 9.00–15.00; fre 9.00–13.00"


def test_opening_hours_that_cannot_be_read_are_refused_by_name(national_client):
    jobcentre = Jobcentre.objects.get(municipality_code="101")
    response = change(national_client, jobcentre, opening_hours="man-tor 9-15, weekend 10-12")
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["opening_hours"] == [
        "»weekend« i »weekend 10-12« er ikke en ugedag (man, tir, ons, tor, fre, lør, søn)."
    ]
    jobcentre.refresh_from_db()
    assert jobcentre.opening_hours == ""


def test_the_list_shows_which_jobcentres_cannot_be_contacted(national_client):
    reachable = Jobcentre.objects.get(municipality_code="101")
    reachable.phone = "33 17 33 17"
    reachable.save()
    url = reverse("admin:accounts_jobcentre_changelist")
    missing = national_client.get(url, {"contact": "missing"}).context["cl"].result_list
    given = national_client.get(url, {"contact": "given"}).context["cl"].result_list
    assert reachable in given and reachable not in missing
    assert len(missing) == Jobcentre.objects.count() - len(given)
    assert all(not j.contactable for j in missing)
