"""The access log: read-only admin scoped to the jobcentre, retention purge, access requests."""

import ast
import re
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from apoc.audit.management.commands.purge_audit import audit_purge
from apoc.audit.models import AuditEntry
from apoc.audit.services import AuditContext, Shown, audit_record
from registrations import review
from tests.factories import (
    JobcentreFactory,
    NationalAdminFactory,
    RegistrationFactory,
    SupervisorFactory,
)

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:audit_auditentry_changelist")


@pytest.fixture
def copenhagen(db):
    return JobcentreFactory(municipality_code="101", municipality="København")


@pytest.fixture
def odense(db):
    return JobcentreFactory(municipality_code="461", municipality="Odense", region="1083")


@pytest.fixture
def supervisor(copenhagen):
    return SupervisorFactory(username="tina", jobcentre=copenhagen)


def entry(**fields):
    return AuditEntry.objects.create(action=fields.pop("action", "view"), **fields)


# --- Admin --------------------------------------------------------------------------------------


def test_audit_admin_is_read_only_for_everyone(client, supervisor):
    item = entry(username="tina", user=supervisor, jobcentre=supervisor.jobcentre)
    for user in (supervisor, NationalAdminFactory()):
        client.force_login(user)
        assert client.get(reverse("admin:audit_auditentry_add")).status_code == 403
        change = reverse("admin:audit_auditentry_change", args=[item.pk])
        assert client.get(change).status_code == 200
        assert client.post(change, {"username": "someone"}).status_code == 403
        delete = reverse("admin:audit_auditentry_delete", args=[item.pk])
        assert client.get(delete).status_code == 403
        assert client.post(delete, {"post": "yes"}).status_code == 403
        response = client.post(
            CHANGELIST, {"action": "delete_selected", "_selected_action": [item.pk]}
        )
        assert response.status_code in (200, 302)
    item.refresh_from_db()
    assert item.username == "tina"
    assert AuditEntry.objects.filter(pk=item.pk).exists()


def test_the_log_shows_searched_personnumre_masked(client, supervisor):
    item = entry(
        action="search",
        jobcentre=supervisor.jobcentre,
        criteria={"q": "0101901234", "personnummer": "010190-1234", "filters": {}},
    )
    client.force_login(supervisor)
    for url in (CHANGELIST, reverse("admin:audit_auditentry_change", args=[item.pk])):
        body = client.get(url).content.decode()
        assert "010190-XXXX" in body
        # The serial nowhere after the birth date (a row's id may happen to be 1234).
        assert not re.search(r"010190\D?1234", body)


def test_entries_cannot_be_changed_through_the_model(supervisor):
    item = audit_record(AuditContext.of(supervisor), action="view")
    item.username = "someone else"
    with pytest.raises(RuntimeError):
        item.save()


def test_supervisor_sees_own_jobcentres_entries_only(client, supervisor, odense):
    mine = entry(username="tina", jobcentre=supervisor.jobcentre)
    theirs = entry(username="otto", jobcentre=odense)
    client.force_login(supervisor)
    response = client.get(CHANGELIST)
    assert [e.pk for e in response.context["cl"].result_list] == [mine.pk]
    change = reverse("admin:audit_auditentry_change", args=[theirs.pk])
    assert client.get(change).status_code == 302  # "does not exist": hidden, not shown
    assert "jobcentre__id__exact" not in response.content.decode()


def test_national_administrator_sees_all_entries(client, supervisor, odense):
    entries = [entry(jobcentre=supervisor.jobcentre), entry(jobcentre=odense), entry()]
    client.force_login(NationalAdminFactory())
    response = client.get(CHANGELIST)
    assert {e.pk for e in response.context["cl"].result_list} == {e.pk for e in entries}


def test_search_the_log_by_user_and_by_date(client, supervisor, copenhagen):
    colleague = SupervisorFactory(username="torben", jobcentre=copenhagen)
    by_tina = entry(username="tina", user=supervisor, jobcentre=copenhagen)
    by_torben = entry(username="torben", user=colleague, jobcentre=copenhagen)
    old = entry(
        username="tina",
        user=supervisor,
        jobcentre=copenhagen,
        at=timezone.now() - timedelta(days=400),
    )
    client.force_login(supervisor)

    def found(**params):
        response = client.get(CHANGELIST, params)
        assert response.status_code == 200
        return {e.pk for e in response.context["cl"].result_list}

    assert found(q="tor") == {by_torben.pk}
    assert found(user=str(colleague.pk)) == {by_torben.pk}
    assert found(user=str(supervisor.pk)) == {by_tina.pk, old.pk}
    assert found(user="junk") == set()
    assert found(at__year=str(old.at.year), at__month=str(timezone.localtime(old.at).month)) == {
        old.pk
    }
    assert found(action__exact="view") == {by_tina.pk, by_torben.pk, old.pk}
    staff = client.get(CHANGELIST).content.decode()
    assert "torben" in staff


def test_registration_admin_shows_the_registrations_trail_read_only(client, supervisor):
    registration = RegistrationFactory(jobcentre=supervisor.jobcentre)
    client.force_login(supervisor)
    review.registration_flag(
        registration=registration, by=AuditContext.of(supervisor), comment="Tjek adressen"
    )
    body = client.get(
        reverse("admin:registrations_registration_change", args=[registration.pk])
    ).content.decode()
    trail = body[body.index('id="audit-trail"') :]
    assert "gennemgang" in trail and "Tjek adressen" in trail and "tina" in trail


# --- Details in words -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("criteria", "danish", "english"),
    [
        (
            {"from": "pending", "to": "approved", "comment": "Tjek adressen"},
            "fra: afventer gennemgang; til: godkendt; kommentar: Tjek adressen",
            "from: pending review; to: approved; comment: Tjek adressen",
        ),
        (
            {"languages": ["da", "en", "pl"]},
            "sprog: dansk, engelsk, polsk",
            "languages: Danish, English, Polish",
        ),
        (
            {"status": "disabled"},
            "status: spærret",
            "status: blocked",
        ),
        (
            {
                "q": "",
                "filters": {"category__exact": "B", "review_status__exact": "flagged"},
                "rows": 1,
                "full_personnummer": False,
                "format": "csv",
            },
            "filtre: kategori = B, gennemgang = markeret til opfølgning; rækker: 1; "
            "fulde personnumre: nej; format: csv",
            "filters: category = B, review = flagged for follow-up; rows: 1; "
            "full personnumre: no; format: csv",
        ),
        (
            {"kind": "birth_date", "value": "01.01.1990", "results": 0},
            "type: fødselsdato; søgt efter: 01.01.1990; resultater: 0",
            "type: date of birth; searched for: 01.01.1990; results: 0",
        ),
        ({"offer": 7, "kind": "danish"}, "tilbud: 7; type: danskundervisning", None),
        (
            {"cpr_status": "80", "from": "20", "effective": "2026-12-01", "source": "caseworker"},
            "CPR-status: 80 – udrejst; fra: 20 – uden bopæl i dansk folkeregister "
            "(administrativt); gældende fra: 01.12.2026; kilde: oplyst til jobcentret",
            None,
        ),
        (
            {"jobseeker": "end", "reason": "employed"},
            "som jobsøgende: afmeldt; begrundelse: har fået arbejde",
            None,
        ),
        (
            {"from": "pending", "to": "annulled", "reason": "Fejl", "cause": "mistake"},
            "fra: afventer gennemgang; til: annulleret; begrundelse: Fejl; "
            "årsag: registreret ved en fejl",
            None,
        ),
        (
            {"kind": "search", "result": "candidates", "found": 2},
            "type: søgning på navn; resultat: mulige personer fundet, skal vurderes; "
            "fundet i CPR: 2",
            None,
        ),
        (
            {"deleted": "contact_data", "fields": ["phone", "email"], "reason": "cpr_status"},
            "slettet: kontaktoplysningerne; felter: telefon, e-mail; "
            "begrundelse: ændret CPR-status",
            None,
        ),
        ({"new_number": "allowed"}, "nyt personnummer: tilladt", None),
        ({"q": "", "filters": {}}, "–", "–"),
        ({}, "–", "–"),
        ({"unknown_key": "some_code"}, "unknown_key: some_code", "unknown_key: some_code"),
    ],
)
def test_details_read_as_words_not_as_code(criteria, danish, english):
    from django.utils import translation

    from apoc.audit.details import details_text

    with translation.override("da"):
        assert details_text(criteria) == danish
    if english is not None:
        with translation.override("en"):
            assert details_text(criteria) == english


def _is_criteria(node) -> bool:
    """``criteria=...`` in a call, or ``criteria = ...``."""
    if isinstance(node, ast.keyword):
        return node.arg == "criteria"
    if isinstance(node, ast.Assign):
        return any(isinstance(t, ast.Name) and t.id == "criteria" for t in node.targets)
    return False


def _keys_written(node) -> list[str]:
    """The string keys ``node`` writes into a details dict, if it writes any."""
    if _is_criteria(node) and isinstance(node.value, ast.Dict):
        return [k.value for k in node.value.keys if isinstance(k, ast.Constant)]
    if (  # criteria["key"] = ...
        isinstance(node, ast.Subscript)
        and isinstance(node.value, ast.Name)
        and node.value.id == "criteria"
        and isinstance(node.slice, ast.Constant)
        and isinstance(node.ctx, ast.Store)
    ):
        return [node.slice.value]
    return []


def _criteria_keys() -> dict[str, set[str]]:
    """Every key the code writes into an entry's details, and where: read from the source."""
    keys: dict[str, set[str]] = {}
    root = Path(settings.BASE_DIR)
    for folder in ("apoc", "cpr", "jobnet", "registrations"):
        for path in (root / folder).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                for key in _keys_written(node):
                    keys.setdefault(key, set()).add(path.relative_to(root).as_posix())
    return keys


def test_every_key_the_code_writes_into_the_log_has_a_name():
    from apoc.audit import registry

    keys = _criteria_keys()
    assert {"cpr_status", "from_jobcentre", "deleted", "result", "languages"} <= set(keys)
    unnamed = {
        key: sorted(where) for key, where in keys.items() if key not in registry.detail_keys()
    }
    assert unnamed == {}


def test_a_transfer_names_the_jobcentres_not_their_ids(copenhagen, odense):
    from django.utils import translation

    from apoc.audit.details import details_text

    with translation.override("da"):
        text = details_text({"from_jobcentre": copenhagen.pk, "to_jobcentre": odense.pk})
    assert text == f"fra jobcenter: {copenhagen.name}; til jobcenter: {odense.name}"


def test_the_log_and_the_trail_show_no_codes_or_python_values(client, supervisor):
    registration = RegistrationFactory(jobcentre=supervisor.jobcentre)
    about = {
        "subject_type": "registrations.registration",
        "subject_id": registration.pk,
        "jobcentre": supervisor.jobcentre,
    }
    entry(
        action="review", criteria={"from": "pending", "to": "flagged", "comment": "Tjek"}, **about
    )
    entry(action="print_letter", criteria={"languages": ["da", "en", "ro"]}, **about)
    entry(
        action="export",
        criteria={"q": "", "filters": {}, "full_personnummer": True},
        jobcentre=supervisor.jobcentre,
    )
    client.force_login(supervisor)
    log = client.get(CHANGELIST).content.decode()
    page = client.get(
        reverse("admin:registrations_registration_change", args=[registration.pk])
    ).content.decode()
    trail = page[page.index('id="audit-trail"') :]
    for body in (log, trail):
        assert "sprog: dansk, engelsk, rumænsk" in body
        assert "til: markeret til opfølgning" in body
        for leak in ("[&#x27;", "{&#x27;", "['", "{}", "flagged", "pending", "True"):
            assert leak not in body, leak
    assert f"registrering {registration.pk}" in log
    assert "registrations.registration" not in log
    assert "fulde personnumre: ja" in log


# --- Retention ----------------------------------------------------------------------------------


def test_purge_removes_entries_past_retention_and_logs_itself(settings):
    settings.AUDIT_RETENTION_DAYS = 30
    now = timezone.now()
    old = [entry(at=now - timedelta(days=31)), entry(at=now - timedelta(days=400))]
    kept = entry(at=now - timedelta(days=29))
    out = StringIO()
    call_command("purge_audit", stdout=out)
    assert not AuditEntry.objects.filter(pk__in=[e.pk for e in old]).exists()
    assert AuditEntry.objects.filter(pk=kept.pk).exists()
    purge = AuditEntry.objects.get(action="purge")
    assert purge.criteria["removed"] == 2
    assert purge.criteria["retention_days"] == 30
    assert purge.user is None
    assert "Removed 2" in out.getvalue()


def test_purge_with_nothing_to_remove_still_logs_that_it_ran():
    entry(at=timezone.now())
    call_command("purge_audit", stdout=StringIO())
    assert AuditEntry.objects.get(action="purge").criteria["removed"] == 0
    assert AuditEntry.objects.count() == 2


def test_purge_default_retention_is_five_years(settings):
    assert settings.AUDIT_RETENTION_DAYS == 1825
    now = timezone.now()
    entry(at=now - timedelta(days=1826))
    entry(at=now - timedelta(days=1824))
    call_command("purge_audit", stdout=StringIO())
    assert AuditEntry.objects.get(action="purge").criteria["removed"] == 1


def test_purge_removes_only_the_oldest_entries_of_the_chain():
    """The chain loses its start only: an entry written after one still kept stays
    too, until that one is due (entries are written in the order of their time,
    give or take the clocks of the app servers)."""
    now = timezone.now()
    first = entry(at=now - timedelta(days=10))
    kept = entry(at=now - timedelta(days=2))
    late = entry(at=now - timedelta(days=11))
    assert audit_purge(days=5) == 1
    assert not AuditEntry.objects.filter(pk=first.pk).exists()
    assert AuditEntry.objects.filter(pk__in=[kept.pk, late.pk]).count() == 2


def test_purge_works_in_batches():
    now = timezone.now()
    for _ in range(5):
        entry(at=now - timedelta(days=10))
    assert audit_purge(days=5, batch=2) == 5
    assert list(AuditEntry.objects.values_list("action", flat=True)) == ["purge"]


@pytest.mark.parametrize("days", ["0", "-3"])
def test_purge_refuses_a_retention_below_one_day(days):
    entry(at=timezone.now() - timedelta(days=2))
    with pytest.raises(CommandError):
        call_command("purge_audit", "--days", days)
    assert AuditEntry.objects.count() == 1


# --- Access requests ----------------------------------------------------------------------------


@pytest.fixture
def person(supervisor):
    return RegistrationFactory(jobcentre=supervisor.jobcentre, document_number_key="EA123")


def audit_for(*args):
    out = StringIO()
    call_command("audit_for", *args, stdout=out)
    return out.getvalue()


def test_audit_for_lists_what_was_done_when_and_where_without_staff_names(
    supervisor, person, odense
):
    supervisor.first_name, supervisor.last_name = "Tina", "Teamleder"
    supervisor.save()
    audit_record(AuditContext.of(supervisor), action="create", subject=person)
    audit_record(AuditContext.of(supervisor), action="view", subject=person)
    review.registration_approve(registration=person, by=AuditContext.of(supervisor))
    audit_record(AuditContext.of(supervisor), action="search", criteria={"q": person.personnummer})
    audit_record(
        AuditContext.of(supervisor),
        action="search",
        criteria={"kind": "personnummer", "value": person.personnummer.replace("-", "")},
    )
    audit_record(
        AuditContext.of(supervisor),
        action="duplicate_check",
        criteria={"document": f"{person.document_country}:EA123", "matches": 0},
    )
    other = RegistrationFactory(jobcentre=odense)
    audit_record(AuditContext.of(supervisor), action="view", subject=other)
    audit_record(AuditContext.of(supervisor), action="search", criteria={"q": other.personnummer})

    text = audit_for(person.personnummer.replace("-", ""))
    assert f"Logning for personnummer {person.personnummer}" in text
    assert "oprettelse af registreringen" in text
    assert "visning af registreringen" in text
    assert "gennemgang af registreringen: afventer gennemgang → godkendt" in text
    assert text.count("søgning") == 2
    assert "dubletkontrol" in text
    assert "Jobcenter København" in text
    assert "I alt 6 logposter." in text
    for secret in ("tina", "Tina", "Teamleder", "127.0.0.1", other.personnummer):
        assert secret not in text
    logged = AuditEntry.objects.filter(criteria__command="audit_for").get()
    assert logged.criteria == {
        "command": "audit_for",
        "personnummer": person.personnummer,
        "entries": 6,
    }


def test_audit_for_includes_its_own_earlier_runs(person):
    audit_for(person.personnummer)
    assert "indsigt i logningen" in audit_for(person.personnummer)


@pytest.mark.parametrize("value", ["123", "320190-1234", "abcdef-ghij", "０１０１９０１２３４"])
def test_audit_for_refuses_an_invalid_number(value):
    with pytest.raises(CommandError, match="Ugyldigt personnummer"):
        audit_for(value)
    assert not AuditEntry.objects.exists()


def test_audit_for_an_unknown_number_is_a_clear_error(db):
    with pytest.raises(CommandError, match="findes ikke i registret"):
        audit_for("010190-0000")


def test_audit_for_an_unknown_number_that_was_searched_for_prints_the_searches(supervisor):
    audit_record(AuditContext.of(supervisor), action="search", criteria={"q": "0101900000"})
    text = audit_for("010190-0000")
    assert "kun søgt efter" in text
    assert "I alt 1 logpost." in text


# --- Every kind of use reaches audit_for --------------------------------------------------------


def _lines(text: str) -> list[str]:
    """The entries' lines: each begins with its date."""
    return [line for line in text.splitlines() if line[:1].isdigit() and "Jobcenter" in line]


def test_audit_for_finds_every_kind_of_use_made_through_the_pages(client, supervisor, odense):
    from django.urls import reverse

    from tests.factories import CaseworkerFactory

    person = RegistrationFactory(jobcentre=supervisor.jobcentre, surname="Kowalczyk")
    bystander = RegistrationFactory(jobcentre=supervisor.jobcentre, surname="Nowak")
    caseworker = CaseworkerFactory(jobcentre=supervisor.jobcentre)
    client.force_login(caseworker)
    uses = [
        lambda: client.get(reverse("registrations:home")),
        lambda: client.post(reverse("registrations:search"), {"q": "Kowalczyk"}, follow=True),
        lambda: client.get(reverse("registrations:letter", args=[person.pk])),
        lambda: client.post(reverse("registrations:letter", args=[person.pk])),
    ]
    for use in uses:
        assert use().status_code == 200
    client.force_login(supervisor)
    admin_uses = [
        reverse("admin:registrations_registration_changelist") + "?q=Kowalczyk",
        reverse("admin:registrations_registration_history", args=[person.pk]),
        reverse("admin:registrations_registration_export"),
        reverse("admin:autocomplete")
        + "?app_label=registrations&model_name=offer&field_name=registration&term=Kowalczyk",
    ]
    for url in admin_uses:
        assert client.get(url).status_code == 200, url
    # A name search that did not show the person is not theirs.
    client.post(reverse("registrations:search"), {"q": "Nowak"}, follow=True)

    lines = _lines(audit_for(person.personnummer))
    text = "\n".join(lines)
    assert "visning af liste: personen var blandt 2 viste" in text  # today's registrations
    assert text.count("søgning: personen var blandt 1 viste") == 3  # page, admin, autocomplete
    assert "visning af registreringen" in text  # the letter's page, the admin's history
    assert "oprettelse af Jobnet-kontoen" in text
    assert "udskrift af Jobnet-brev af Jobnet-kontoen" in text
    assert "udtræk: personen var blandt 2 viste" in text
    assert len(lines) == 9, text
    # Today's list, the search for Nowak, the export; not the searches that did not show Nowak.
    assert len(_lines(audit_for(bystander.personnummer))) == 3


def test_audit_for_finds_the_person_in_a_large_export(client, supervisor, monkeypatch):
    from django.urls import reverse

    from apoc.audit import shown

    monkeypatch.setattr(shown, "INLINE", 2)
    people = [RegistrationFactory(jobcentre=supervisor.jobcentre) for _ in range(5)]
    client.force_login(supervisor)
    response = client.get(reverse("admin:registrations_registration_export"))
    body = b"".join(response.streaming_content).decode()
    assert len(body.strip().splitlines()) == 6
    export = AuditEntry.objects.get(action="export")
    assert "shown" not in export.criteria
    assert export.criteria["shown_count"] == 5 == export.criteria["rows"]
    assert shown.unpack_ids(export.criteria["shown_packed"]) == sorted(p.pk for p in people)
    for person in people:
        assert "udtræk: personen var blandt 5 viste" in audit_for(person.personnummer)


def test_audit_for_includes_the_registrations_an_annulment_links(supervisor):
    from registrations.models import AnnulmentReason

    kept = RegistrationFactory(jobcentre=supervisor.jobcentre)
    duplicate = RegistrationFactory(jobcentre=supervisor.jobcentre)
    review.registration_annul(
        registration=duplicate,
        by=AuditContext.of(supervisor),
        reason="Samme person",
        cause=AnnulmentReason.DUPLICATE,
        survivor=kept,
    )
    audit_record(AuditContext.of(supervisor), action="view", subject=duplicate)
    text = audit_for(kept.personnummer)
    assert "annullering af registreringen" in text
    assert "visning af registreringen" in text


def test_audit_for_finds_a_duplicate_check_that_matched_by_name_only(client, supervisor):
    from django.urls import reverse

    from tests.factories import CaseworkerFactory
    from tests.registrations.conftest import intake_post

    person = RegistrationFactory(jobcentre=supervisor.jobcentre)
    client.force_login(CaseworkerFactory(jobcentre=supervisor.jobcentre))
    data = intake_post(
        surname=person.surname,
        given_names=person.given_names,
        birth_date=person.birth_date.isoformat(),
        document_number="ANDET 999",
    )
    assert client.post(reverse("registrations:intake"), data).status_code == 409
    assert "dubletkontrol: personen var blandt 1 viste" in audit_for(person.personnummer)


@pytest.mark.parametrize(
    "ids",
    [[1], [1, 2, 3], [5, 127, 128, 129, 16384, 2**40], list(range(1, 5000, 3))],
)
def test_packed_ids_come_back_as_they_were(ids):
    from apoc.audit.shown import pack_ids, unpack_ids

    assert unpack_ids(pack_ids(ids)) == ids
    assert unpack_ids(pack_ids(reversed(ids))) == ids


def test_a_million_consecutive_ids_pack_small():
    from apoc.audit.shown import pack_ids, unpack_ids

    packed = pack_ids(range(1, 1_000_001))
    assert len(packed) < 10_000
    assert unpack_ids(packed)[-1] == 1_000_000


def test_the_logs_admin_finds_by_a_registrations_id_the_lists_that_showed_it(client, supervisor):
    from registrations.models import Registration

    person, other = RegistrationFactory.create_batch(2, jobcentre=supervisor.jobcentre)
    by = AuditContext.of(supervisor)
    about = audit_record(by, action="view", subject=person)
    listed = audit_record(by, action="list", shown=Shown.of(Registration, [person.pk, other.pk]))
    audit_record(by, action="list", shown=Shown.of(Registration, [other.pk]))
    client.force_login(supervisor)
    response = client.get(CHANGELIST, {"q": str(person.pk)})
    assert {e.pk for e in response.context["cl"].result_list} == {about.pk, listed.pk}
