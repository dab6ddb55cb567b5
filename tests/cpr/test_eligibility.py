"""cpr.eligibility: one test per rule and per reason, both sides of every boundary."""

import dataclasses
import pickle
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from apoc.exceptions import DomainError
from cpr.countries import COUNTRIES
from cpr.eligibility import (
    BLOCK_CODES,
    TEMPLATES,
    WARNING_CODES,
    Category,
    EligibilityResult,
    IntakeFacts,
    NotEligible,
    Purpose,
    Reason,
    add_months,
    age_on,
    check_eligibility,
)
from cpr.personnummer import MOD11_EXEMPT_DATES, InvalidPersonnummer, parse

TODAY = date(2026, 11, 29)
DAY = timedelta(days=1)
WEIGHTS = (4, 3, 2, 7, 6, 5, 4, 3, 2, 1)
FIELDS = {f.name for f in dataclasses.fields(IntakeFacts)}

VALID_NUMBER = "070761-4285"  # the CPR office's worked example: passes modulus 11
FAILING_NUMBER = "070761-4286"  # 7 July 1961, not an exempt date
REPLACEMENT_NUMBER = "670761-4285"  # day + 60


def facts(**changes: object) -> IntakeFacts:
    """A Polish jobseeker who is eligible without any warning, with ``changes``."""
    values: dict[str, object] = {
        "nationality": "PL",
        "category": Category.JOBSEEKER,
        "birth_date": date(1990, 5, 17),
        "document_expiry": date(2030, 1, 31),
        "entry_date": date(2026, 9, 1),
        "purpose": Purpose.JOBSEEKING,
        "expected_stay_months": 3,
        "has_personnummer": False,
        # Category B's offer; the other categories ignore it.
        "offer_kind": "danish",
        "offer_provider": "Sprogcenter København",
        "offer_starts_on": date(2026, 12, 1),
    }
    values.update(changes)
    return IntakeFacts(**values)  # type: ignore[arg-type]


def asylum(**changes: object) -> IntakeFacts:
    """An asylum seeker with a decision on personal assistance (category C)."""
    values: dict[str, object] = {
        "nationality": "SY",
        "category": Category.ASYLUM_ASSISTANCE,
        "asylum_case_id": "12345678",
        "decision_date": date(2026, 10, 1),
        "decision_reference": "2026-0042",
        "decision_by": "Jobcenter København, Lise Holm",
        "purpose": None,
        "entry_date": date(2025, 1, 10),
        "expected_stay_months": 24,
    }
    values.update(changes)
    return facts(**values)


def presenting(number: str, **changes: object) -> IntakeFacts:
    """A person who presents ``number``, with its birth date and sex."""
    parsed = parse(number, TODAY)
    values = {"birth_date": parsed.birth_date, "sex": parsed.sex, **changes}
    return facts(existing_personnummer=number, **values)


def check(data: IntakeFacts, today: date = TODAY) -> EligibilityResult:
    return check_eligibility(data, today=today)


def only(result: EligibilityResult, code: str) -> Reason:
    """The one reason with ``code``; fails unless it is the only one."""
    assert result.codes == (code,), result.codes
    return result.reasons[0]


def mod11_sum(digits: str) -> int:
    return sum(int(d) * w for d, w in zip(digits, WEIGHTS, strict=True)) % 11


def failing_number(prefix: str) -> str:
    """A number with this DDMMYY and digit 7 = 0 that fails modulus 11."""
    for serial in range(1000):
        digits = f"{prefix}0{serial:03d}"
        if mod11_sum(digits):
            return f"{digits[:6]}-{digits[6:]}"
    raise AssertionError("unreachable")


# --- The baseline ---------------------------------------------------------------------


def test_a_polish_jobseeker_is_eligible_without_warnings():
    result = check(facts())
    assert result.eligible
    assert result.blocks == result.warnings == ()
    assert result.codes == ()


@pytest.mark.parametrize("category", [Category.JOBSEEKER, Category.OFFER])
def test_categories_a_and_b_are_eligible(category):
    assert check(facts(category=category)).codes == ()


def test_category_c_is_eligible():
    assert check(asylum()).codes == ()


# --- Nationality ----------------------------------------------------------------------


@pytest.mark.parametrize("nationality", ["", "   "])
def test_missing_nationality_blocks(nationality):
    reason = only(check(facts(nationality=nationality)), "nationality_missing")
    assert reason.field == "nationality"
    assert reason.message == (
        "Statsborgerskab mangler. Vælg personens statsborgerskab, som det står i pas eller ID-kort."
    )


@pytest.mark.parametrize("nationality", ["Polen", "POL", "P", "P1", "ÆØ", "D<", "p l"])
def test_a_nationality_that_is_no_alpha2_code_blocks(nationality):
    reason = only(check(facts(nationality=nationality)), "nationality_invalid")
    assert reason.field == "nationality"
    assert f"'{nationality}' er ingen landekode" in reason.message


def test_nationality_in_lower_case_and_with_space_is_accepted():
    assert check(facts(nationality=" pl ")).codes == ()


@pytest.mark.parametrize("category", list(Category))
def test_danish_citizens_are_refused_in_every_category(category):
    data = asylum(nationality="DK") if category == Category.ASYLUM_ASSISTANCE else facts()
    result = check(dataclasses.replace(data, nationality="dk", category=category))
    reason = only(result, "nationality_danish")
    assert reason.field == "nationality"
    assert reason.message.startswith("Danske statsborgere kan ikke få et administrativt")


@pytest.mark.parametrize("category", [Category.JOBSEEKER, Category.OFFER])
def test_us_citizens_are_refused(category):
    reason = only(check(facts(nationality="US", category=category)), "nationality_not_eea")
    assert reason.field == "nationality"
    assert reason.message == (
        "Statsborgere fra USA kan ikke få et administrativt personnummer: kun EU/EØS-borgere "
        "og schweizere."
    )


@pytest.mark.parametrize("category", [Category.JOBSEEKER, Category.OFFER])
def test_uk_citizens_are_refused(category):
    reason = only(check(facts(nationality="GB", category=category)), "nationality_not_eea")
    assert reason.message.startswith("Statsborgere fra Storbritannien kan ikke")


def test_a_country_without_a_danish_name_is_shown_by_its_code():
    reason = only(check(facts(nationality="ua")), "nationality_not_eea")
    assert reason.message.startswith("Statsborgere fra UA kan ikke")


def test_the_country_name_is_translated_with_the_message():
    reason = only(check(facts(nationality="GB")), "nationality_not_eea")
    catalogue = {
        TEMPLATES["nationality_not_eea"]: "Citizens of %(country)s cannot get one.",
        "Storbritannien": "the United Kingdom",
    }
    assert reason.message_in(lambda s: catalogue.get(s, s)) == (
        "Citizens of the United Kingdom cannot get one."
    )


def test_germany_is_accepted():
    assert check(facts(nationality="DE")).eligible
    assert check(facts(nationality="DE")).codes == ()


def test_switzerland_is_accepted_like_the_eea():
    assert check(facts(nationality="CH")).codes == ()


@pytest.mark.parametrize("country", [c for c in COUNTRIES if not c.nordic], ids=lambda c: c.alpha2)
def test_every_non_nordic_member_is_accepted_without_warning(country):
    assert check(facts(nationality=country.alpha2)).codes == ()


# --- Nordic citizens ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("nationality", "name"),
    [("FI", "Finland"), ("IS", "Island"), ("NO", "Norge"), ("SE", "Sverige")],
)
def test_nordic_citizens_are_eligible_with_a_warning(nationality, name):
    result = check(facts(nationality=nationality))
    reason = only(result, "nordic_citizen")
    assert result.eligible
    assert reason.field == "nationality"
    assert reason.message.startswith(f"Statsborgere fra {name} er nordiske")
    assert "Borgerservice" in reason.message


@pytest.mark.parametrize("months", [None, 0, 1, 3])
def test_nordic_citizen_staying_at_most_3_months(months):
    only(check(facts(nationality="SE", expected_stay_months=months)), "nordic_citizen")


@pytest.mark.parametrize("months", [4, 12])
def test_nordic_citizen_staying_over_3_months_is_sent_to_borgerservice(months):
    reason = only(check(facts(nationality="SE", expected_stay_months=months)), "nordic_long_stay")
    assert reason.field == "nationality"
    assert f"Personen regner med {months} måneder: henvis til Borgerservice" in reason.message


def test_nordic_citizens_get_no_eu_residence_warnings():
    data = facts(
        nationality="NO",
        purpose=Purpose.EMPLOYED,
        expected_stay_months=12,
        entry_date=date(2025, 1, 1),
    )
    only(check(data), "nordic_long_stay")


# --- Category C -----------------------------------------------------------------------


@pytest.mark.parametrize("nationality", ["SY", "AF", "ER", "US", "XX"])
def test_category_c_accepts_any_nationality_but_danish(nationality):
    assert check(asylum(nationality=nationality)).codes == ()


def test_category_c_gets_no_nordic_or_eu_residence_warnings():
    data = asylum(
        nationality="SE",
        purpose=Purpose.JOBSEEKING,
        expected_stay_months=12,
        entry_date=date(2024, 1, 1),
    )
    assert check(data).codes == ()


@pytest.mark.parametrize("value", ["", "  "])
def test_category_c_without_case_id_blocks(value):
    reason = only(check(asylum(asylum_case_id=value)), "asylum_case_id_missing")
    assert reason.field == "asylum_case_id"
    assert "Udlændingestyrelsen" in reason.message


def test_category_c_without_decision_date_blocks():
    reason = only(check(asylum(decision_date=None)), "decision_date_missing")
    assert reason.field == "decision_date"


@pytest.mark.parametrize("value", ["", "  "])
def test_category_c_without_decision_reference_blocks(value):
    reason = only(check(asylum(decision_reference=value)), "decision_reference_missing")
    assert reason.field == "decision_reference"


def test_category_c_without_any_decision_or_case_blocks_three_times():
    data = asylum(asylum_case_id="", decision_date=None, decision_reference="")
    assert check(data).block_codes == (
        "asylum_case_id_missing",
        "decision_date_missing",
        "decision_reference_missing",
    )


def test_a_decision_dated_today_is_accepted_and_tomorrow_blocks():
    assert check(asylum(decision_date=TODAY)).codes == ()
    reason = only(check(asylum(decision_date=TODAY + DAY)), "decision_date_future")
    assert reason.field == "decision_date"
    assert "30.11.2026" in reason.message


@pytest.mark.parametrize("category", [Category.JOBSEEKER, Category.OFFER])
def test_categories_a_and_b_need_no_asylum_facts(category):
    data = facts(category=category, asylum_case_id="", decision_date=TODAY + DAY)
    assert check(data).codes == ()


# --- An existing personnummer and residence registration ------------------------------


def test_having_a_number_without_typing_it_blocks():
    reason = only(check(facts(has_personnummer=True)), "existing_personnummer_missing")
    assert reason.field == "existing_personnummer"
    assert "skal bruge det" in reason.message


def test_a_valid_number_is_used_not_refused():
    """A former resident, a number given for tax: no dead end, no block."""
    assert check(facts(has_personnummer=True, existing_personnummer=VALID_NUMBER)).blocks == ()


def test_a_typed_number_counts_without_the_tick():
    assert check(facts(existing_personnummer=VALID_NUMBER)).blocks == ()


def test_a_number_of_another_birth_date_or_sex_is_a_warning():
    # 070761-4285 is a man born 7 July 1961 (the last digit is odd).
    result = check(facts(existing_personnummer=VALID_NUMBER, birth_date=date(1961, 7, 8), sex="F"))
    assert result.codes == (
        "existing_personnummer_birth_date_mismatch",
        "existing_personnummer_sex_mismatch",
    )
    assert "07.07.1961" in result.warnings[0].message
    assert "08.07.1961" in result.warnings[0].message
    assert "et nummer for en mand" in result.warnings[1].message
    assert "oplyst som kvinde" in result.warnings[1].message


def test_the_same_birth_date_and_sex_is_no_warning():
    data = facts(existing_personnummer=VALID_NUMBER, birth_date=date(1961, 7, 7), sex="M")
    assert check(data).codes == ()


@pytest.mark.parametrize(
    "typed",
    ["123", "0707614285x", "320190-1234", "290223-4000", "070761-42 85", "０７０７６１４２８５"],
)
def test_a_number_that_does_not_parse_blocks_with_the_parse_error(typed):
    with pytest.raises(InvalidPersonnummer) as error:
        parse(typed, TODAY)
    reason = only(check(facts(existing_personnummer=typed)), "existing_personnummer_invalid")
    assert reason.field == "existing_personnummer"
    assert reason.template == error.value.template
    assert reason.message == error.value.message


def test_a_number_born_after_today_does_not_parse():
    # Digit 7 = 4 and YY = 30 give 2030.
    result = check(facts(existing_personnummer="010130-4000"))
    reason = only(result, "existing_personnummer_invalid")
    assert reason.message == "Fødselsdatoen 01.01.2030 ligger efter dags dato."


def test_a_number_that_does_not_parse_with_the_tick_blocks_once():
    result = check(facts(has_personnummer=True, existing_personnummer="123"))
    assert result.codes == ("existing_personnummer_invalid",)


def test_a_number_that_fails_modulus_11_on_an_ordinary_date_needs_manual_handling():
    assert mod11_sum(FAILING_NUMBER.replace("-", ""))
    result = check(presenting(FAILING_NUMBER, has_personnummer=True))
    assert result.codes == ("existing_personnummer_mod11",)
    reason = result.warnings[0]
    assert reason.field == "existing_personnummer"
    assert reason.message.startswith("Personnummeret 070761-XXXX opfylder ikke modulus 11")
    assert "afvis det ikke" in reason.message
    assert "4286" not in reason.message


@pytest.mark.parametrize("exempt", sorted(MOD11_EXEMPT_DATES))
def test_a_number_that_fails_modulus_11_on_an_exempt_date_is_no_warning(exempt):
    number = failing_number(exempt.strftime("%d%m%y"))
    assert parse(number, TODAY).birth_date == exempt
    result = check(presenting(number, has_personnummer=True))
    assert result.codes == ()


def test_the_day_after_an_exempt_date_is_not_exempt():
    number = failing_number("020160")
    result = check(presenting(number, has_personnummer=True))
    assert result.codes == ("existing_personnummer_mod11",)


def test_a_number_that_passes_modulus_11_is_no_warning():
    result = check(presenting(VALID_NUMBER, has_personnummer=True))
    assert result.warnings == ()


def test_a_replacement_number_blocks_and_says_what_it_is():
    reason = only(
        check(facts(existing_personnummer=REPLACEMENT_NUMBER)), "existing_personnummer_replacement"
    )
    assert reason.code in BLOCK_CODES
    assert reason.field == "existing_personnummer"
    assert reason.message.startswith("670761-XXXX er et erstatningspersonnummer")
    assert "Spørg personen efter et rigtigt dansk personnummer" in reason.message


def test_a_replacement_number_with_the_tick_blocks_once():
    result = check(facts(has_personnummer=True, existing_personnummer=REPLACEMENT_NUMBER))
    assert result.codes == ("existing_personnummer_replacement",)


@pytest.mark.parametrize("typed", ["", "   "])
def test_a_blank_number_is_no_number(typed):
    assert check(facts(existing_personnummer=typed)).codes == ()


def test_residence_registration_blocks():
    reason = only(check(facts(residence_registered=True)), "residence_registered")
    assert reason.field == "residence_registered"
    assert "bopælsregistreret" in reason.message


# --- Birth date and age ---------------------------------------------------------------


def test_missing_birth_date_blocks():
    reason = only(check(facts(birth_date=None)), "birth_date_missing")
    assert reason.field == "birth_date"


def test_a_birth_date_tomorrow_blocks():
    reason = only(check(facts(birth_date=TODAY + DAY)), "birth_date_future")
    assert reason.field == "birth_date"
    assert reason.message == "Fødselsdatoen 30.11.2026 ligger efter dags dato. Ret fødselsdatoen."


def test_a_birth_date_today_is_a_warning_not_a_block():
    reason = only(check(facts(birth_date=TODAY)), "age_under_15")
    assert reason.params["age"] == 0


def test_a_birth_date_before_1858_blocks():
    reason = only(check(facts(birth_date=date(1857, 12, 31))), "birth_date_out_of_range")
    assert reason.field == "birth_date"
    assert "31.12.1857" in reason.message


def test_a_birth_date_the_century_table_cannot_express_blocks_also_later():
    today = date(2060, 1, 1)
    reason = only(
        check(facts(birth_date=date(2058, 1, 1), entry_date=None, document_expiry=None), today),
        "birth_date_out_of_range",
    )
    assert reason.params["date"] == "01.01.2058"


def test_1858_is_expressible():
    assert check(facts(birth_date=date(1858, 1, 1))).codes == ("age_over_80",)


def test_under_15_the_day_before_the_15th_birthday():
    reason = only(check(facts(birth_date=date(2011, 11, 30))), "age_under_15")
    assert reason.field == "birth_date"
    assert reason.params["age"] == 14
    assert reason.message.startswith("Personen er 14 år (født 30.11.2011), altså under 15 år.")


def test_not_under_15_on_the_15th_birthday():
    assert check(facts(birth_date=date(2011, 11, 29))).codes == ()


def test_not_over_80_on_the_80th_birthday():
    assert check(facts(birth_date=date(1946, 11, 29))).codes == ()


def test_not_over_80_the_day_before_the_81st_birthday():
    assert check(facts(birth_date=date(1945, 11, 30))).codes == ()


def test_over_80_on_the_81st_birthday():
    reason = only(check(facts(birth_date=date(1945, 11, 29))), "age_over_80")
    assert reason.field == "birth_date"
    assert reason.params["age"] == 81
    assert reason.message.startswith("Personen er 81 år (født 29.11.1945), altså over 80 år.")


def test_born_on_29_february_turns_15_on_1_march_in_other_years():
    data = facts(birth_date=date(2008, 2, 29), entry_date=date(2023, 1, 1))
    only(check(data, date(2023, 2, 28)), "age_under_15")
    assert check(data, date(2023, 3, 1)).codes == ()


@pytest.mark.parametrize(
    ("born", "today", "age"),
    [
        (date(2000, 1, 1), date(2000, 1, 1), 0),
        (date(2000, 1, 1), date(2000, 12, 31), 0),
        (date(2000, 1, 1), date(2001, 1, 1), 1),
        (date(2000, 6, 15), date(2026, 6, 14), 25),
        (date(2000, 6, 15), date(2026, 6, 15), 26),
        (date(2000, 2, 29), date(2001, 2, 28), 0),
        (date(2000, 2, 29), date(2001, 3, 1), 1),
        (date(2000, 2, 29), date(2004, 2, 29), 4),
    ],
)
def test_age_on(born, today, age):
    assert age_on(born, today) == age


# --- Identity document ----------------------------------------------------------------


def test_a_document_expiring_today_is_valid():
    assert check(facts(document_expiry=TODAY)).codes == ()


def test_a_document_that_expired_yesterday_blocks():
    reason = only(check(facts(document_expiry=TODAY - DAY)), "document_expired")
    assert reason.field == "document_expiry"
    assert reason.message == (
        "Identitetsdokumentet udløb 28.11.2026. Bed om et gyldigt pas eller ID-kort."
    )


def test_a_document_without_expiry_is_accepted():
    assert check(facts(document_expiry=None)).codes == ()


# --- Entry date -----------------------------------------------------------------------


def test_entry_today_is_accepted_and_tomorrow_blocks():
    assert check(facts(entry_date=TODAY)).codes == ()
    reason = only(check(facts(entry_date=TODAY + DAY)), "entry_date_future")
    assert reason.field == "entry_date"


def test_an_unknown_entry_date_is_accepted():
    assert check(facts(entry_date=None)).codes == ()


# --- Registreringsbevis (purpose other than job search, stay over 3 months) ----------

OTHER_PURPOSES = [p for p in Purpose if p != Purpose.JOBSEEKING]


@pytest.mark.parametrize("purpose", OTHER_PURPOSES)
def test_other_purpose_and_a_stay_of_4_months_must_apply_to_siri(purpose):
    data = facts(purpose=purpose, expected_stay_months=4, entry_date=date(2026, 9, 1))
    reason = only(check(data), "registration_certificate")
    assert reason.field == "purpose"
    assert reason.message.startswith(
        "Personen regner med at blive 4 måneder i Danmark med et andet formål end jobsøgning "
        "og skal søge SIRI om et registreringsbevis senest 01.12.2026 og derefter "
        "bopælsregistreres hos Borgerservice."
    )


@pytest.mark.parametrize("purpose", OTHER_PURPOSES)
def test_other_purpose_and_a_stay_of_3_months_is_no_warning(purpose):
    assert check(facts(purpose=purpose, expected_stay_months=3)).codes == ()


@pytest.mark.parametrize("months", [None, 0, 3])
def test_other_purpose_without_a_long_stay_is_no_warning(months):
    assert check(facts(purpose=Purpose.EMPLOYED, expected_stay_months=months)).codes == ()


def test_job_search_needs_no_registreringsbevis():
    assert check(facts(purpose=Purpose.JOBSEEKING, expected_stay_months=12)).codes == ()


def test_an_unknown_purpose_is_no_registreringsbevis_warning():
    assert check(facts(category=Category.OFFER, purpose=None, expected_stay_months=12)).codes == ()


def test_the_siri_deadline_is_the_end_of_a_short_month():
    data = facts(purpose=Purpose.STUDENT, expected_stay_months=12, entry_date=date(2026, 8, 31))
    reason = only(check(data), "registration_certificate")
    assert reason.params["deadline"] == "30.11.2026"


def test_the_siri_deadline_without_an_entry_date():
    data = facts(purpose=Purpose.STUDENT, expected_stay_months=12, entry_date=None)
    reason = only(check(data), "registration_certificate")
    assert "senest 3 måneder efter indrejsen og derefter" in reason.message
    catalogue = {"3 måneder efter indrejsen": "3 months after entry"}
    assert "3 months after entry" in reason.message_in(lambda s: catalogue.get(s, s))


# --- Jobseeker more than 6 months after entry ----------------------------------------


def test_a_jobseeker_exactly_6_months_after_entry_is_no_warning():
    assert check(facts(entry_date=date(2026, 5, 29))).codes == ()


def test_a_jobseeker_6_months_and_a_day_after_entry_is_warned():
    reason = only(check(facts(entry_date=date(2026, 5, 28))), "jobseeker_over_six_months")
    assert reason.field == "entry_date"
    assert reason.message.startswith("Personen indrejste 28.05.2026, for mere end 6 måneder siden.")


def test_6_months_after_31_august_is_the_end_of_february():
    data = facts(entry_date=date(2025, 8, 31))
    assert check(data, date(2026, 2, 28)).codes == ()
    only(check(data, date(2026, 3, 1)), "jobseeker_over_six_months")


def test_6_months_after_31_august_in_a_leap_year():
    data = facts(entry_date=date(2027, 8, 31))
    assert check(data, date(2028, 2, 29)).codes == ()
    only(check(data, date(2028, 3, 1)), "jobseeker_over_six_months")


def test_category_b_with_purpose_job_search_is_a_jobseeker():
    data = facts(category=Category.OFFER, entry_date=date(2025, 1, 1))
    only(check(data), "jobseeker_over_six_months")


def test_category_a_is_a_jobseeker_whatever_the_purpose():
    data = facts(purpose=None, entry_date=date(2025, 1, 1))
    only(check(data), "jobseeker_over_six_months")
    data = facts(purpose=Purpose.EMPLOYED, entry_date=date(2025, 1, 1))
    only(check(data), "jobseeker_over_six_months")


def test_category_b_with_another_purpose_is_no_jobseeker():
    data = facts(category=Category.OFFER, purpose=Purpose.EMPLOYED, entry_date=date(2025, 1, 1))
    assert check(data).codes == ()


def test_a_jobseeker_without_an_entry_date_is_no_warning():
    assert check(facts(entry_date=None)).codes == ()


def test_a_future_entry_date_is_only_a_block():
    data = facts(entry_date=TODAY + DAY, purpose=Purpose.EMPLOYED, expected_stay_months=12)
    result = check(data)
    assert result.block_codes == ("entry_date_future",)
    # The deadline is not computed from a date that cannot be right.
    assert result.warnings[0].params["deadline"] == "3 måneder efter indrejsen"


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (date(2026, 1, 15), 6, date(2026, 7, 15)),
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2027, 8, 31), 6, date(2028, 2, 29)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 12, 31), 1, date(2027, 1, 31)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 1, 1), 0, date(2026, 1, 1)),
        (date(9999, 11, 1), 6, date.max),
        (date(1, 2, 1), -6, date.min),
    ],
)
def test_add_months(start, months, end):
    assert add_months(start, months) == end


# --- Several reasons at once ----------------------------------------------------------


def test_several_blocks_and_warnings_at_once():
    data = facts(
        nationality="DE",
        category=Category.OFFER,
        birth_date=date(1940, 3, 1),
        document_expiry=date(2026, 1, 1),
        entry_date=date(2025, 10, 1),
        purpose=Purpose.SELF_EMPLOYED,
        expected_stay_months=12,
        has_personnummer=True,
        existing_personnummer=FAILING_NUMBER,
        residence_registered=True,
    )
    result = check(data)
    assert not result.eligible
    assert result.block_codes == ("residence_registered", "document_expired")
    assert result.warning_codes == (
        "existing_personnummer_mod11",
        "existing_personnummer_birth_date_mismatch",
        "age_over_80",
        "registration_certificate",
    )
    assert result.codes == result.block_codes + result.warning_codes
    assert [r.code for r in result.for_field("birth_date")] == ["age_over_80"]
    assert result.for_field("nationality") == ()


def test_everything_missing_at_once():
    data = IntakeFacts(
        nationality="",
        category=Category.ASYLUM_ASSISTANCE,
        birth_date=None,
        document_expiry=None,
        entry_date=None,
        purpose=None,
        expected_stay_months=None,
        has_personnummer=False,
    )
    assert check(data).codes == (
        "nationality_missing",
        "asylum_case_id_missing",
        "decision_date_missing",
        "decision_reference_missing",
        "decision_by_missing",
        "birth_date_missing",
    )


# --- Every reason: its kind, field and message ---------------------------------------

# code -> (facts that give it, its field)
EXAMPLES: dict[str, tuple[IntakeFacts, str]] = {
    "nationality_missing": (facts(nationality=""), "nationality"),
    "nationality_invalid": (facts(nationality="Polen"), "nationality"),
    "nationality_danish": (facts(nationality="DK"), "nationality"),
    "nationality_not_eea": (facts(nationality="US"), "nationality"),
    "asylum_case_id_missing": (asylum(asylum_case_id=""), "asylum_case_id"),
    "decision_date_missing": (asylum(decision_date=None), "decision_date"),
    "decision_date_future": (asylum(decision_date=TODAY + DAY), "decision_date"),
    "decision_reference_missing": (asylum(decision_reference=""), "decision_reference"),
    "nationality_danish_realm": (facts(nationality="FO"), "nationality"),
    "nationality_special": (facts(nationality="XA"), "nationality"),
    "decision_by_missing": (asylum(decision_by=" "), "decision_by"),
    "offer_kind_missing": (facts(category=Category.OFFER, offer_kind=""), "offer_kind"),
    "offer_provider_missing": (
        facts(category=Category.OFFER, offer_provider=""),
        "offer_provider",
    ),
    "offer_start_missing": (
        facts(category=Category.OFFER, offer_starts_on=None),
        "offer_starts_on",
    ),
    "existing_personnummer_missing": (facts(has_personnummer=True), "existing_personnummer"),
    "document_expiry_missing": (
        facts(document_type="passport", document_expiry=None),
        "document_expiry",
    ),
    "document_withheld": (facts(document_withheld=True), "document_withheld"),
    "document_expired_asylum": (asylum(document_expiry=TODAY - DAY), "document_expiry"),
    "document_withheld_asylum": (asylum(document_withheld=True), "document_withheld"),
    "existing_personnummer_birth_date_mismatch": (
        facts(existing_personnummer=VALID_NUMBER, sex="M"),
        "existing_personnummer",
    ),
    "existing_personnummer_sex_mismatch": (
        presenting(VALID_NUMBER, sex="F"),
        "existing_personnummer",
    ),
    "sex_document_mismatch": (facts(sex="M", document_sex="F"), "sex"),
    "stay_municipality_other": (
        facts(stay_municipality="461", jobcentre_municipality="101"),
        "stay_municipality",
    ),
    "existing_personnummer_invalid": (facts(existing_personnummer="1"), "existing_personnummer"),
    "residence_registered": (facts(residence_registered=True), "residence_registered"),
    "birth_date_missing": (facts(birth_date=None), "birth_date"),
    "birth_date_future": (facts(birth_date=TODAY + DAY), "birth_date"),
    "birth_date_out_of_range": (facts(birth_date=date(1800, 1, 1)), "birth_date"),
    "document_expired": (facts(document_expiry=TODAY - DAY), "document_expiry"),
    "entry_date_future": (facts(entry_date=TODAY + DAY), "entry_date"),
    "nordic_citizen": (facts(nationality="FI"), "nationality"),
    "nordic_long_stay": (facts(nationality="FI", expected_stay_months=4), "nationality"),
    "registration_certificate": (
        facts(purpose=Purpose.OWN_MEANS, expected_stay_months=4),
        "purpose",
    ),
    "jobseeker_over_six_months": (facts(entry_date=date(2026, 1, 1)), "entry_date"),
    "age_under_15": (facts(birth_date=date(2020, 1, 1)), "birth_date"),
    "age_over_80": (facts(birth_date=date(1930, 1, 1)), "birth_date"),
    "existing_personnummer_mod11": (
        presenting(FAILING_NUMBER, has_personnummer=True),
        "existing_personnummer",
    ),
    "existing_personnummer_replacement": (
        facts(existing_personnummer=REPLACEMENT_NUMBER),
        "existing_personnummer",
    ),
}


def test_the_examples_cover_every_reason():
    assert set(EXAMPLES) == set(TEMPLATES)
    assert set(TEMPLATES) == BLOCK_CODES | WARNING_CODES
    assert not BLOCK_CODES & WARNING_CODES


@pytest.mark.parametrize("code", sorted(EXAMPLES))
def test_each_reason(code):
    data, field = EXAMPLES[code]
    result = check(data)
    (reason,) = (r for r in result.reasons if r.code == code)
    assert reason in (result.blocks if code in BLOCK_CODES else result.warnings)
    assert result.eligible == (code in WARNING_CODES)
    assert reason.field == field
    assert reason.field in FIELDS
    if code != "existing_personnummer_invalid":
        assert reason.template == TEMPLATES[code]
    message = reason.message
    assert "%(" not in message and message.endswith(".")
    assert message == reason.message_in(lambda s: s)


@pytest.mark.parametrize("code", sorted(WARNING_CODES))
def test_warnings_alone_leave_the_person_eligible(code):
    result = check(EXAMPLES[code][0])
    assert result.eligible
    assert result.codes == (code,)


# --- Reason, result and NotEligible ---------------------------------------------------


def test_reason_is_immutable_and_keeps_a_copy_of_its_params():
    params = {"age": 14, "date": "01.01.2012"}
    reason = Reason("age_under_15", TEMPLATES["age_under_15"], "birth_date", params)
    params["age"] = 99
    assert reason.params["age"] == 14
    with pytest.raises(dataclasses.FrozenInstanceError):
        reason.code = "x"  # type: ignore[misc]
    assert hash(reason) == hash(Reason("age_under_15", TEMPLATES["age_under_15"], "birth_date"))


def test_reason_without_params_is_rendered_as_is():
    reason = Reason("residence_registered", TEMPLATES["residence_registered"], None)
    assert reason.message == TEMPLATES["residence_registered"]
    assert reason.message_in(str.upper) == TEMPLATES["residence_registered"].upper()


def test_result_for_the_whole_form():
    reason = Reason("x", "Besked.", None)
    result = EligibilityResult(blocks=(reason,))
    assert result.for_field(None) == (reason,)
    assert not result.eligible
    assert EligibilityResult().eligible


def test_not_eligible_carries_the_result():
    result = check(facts(nationality="US", document_expiry=TODAY - DAY))
    error = NotEligible(result)
    assert isinstance(error, DomainError)
    assert error.code == "not_eligible"
    assert error.result is result
    assert error.message == (
        "Personen kan ikke få et administrativt personnummer. "
        "Statsborgere fra USA kan ikke få et administrativt personnummer: kun EU/EØS-borgere og "
        "schweizere. Identitetsdokumentet udløb 28.11.2026. Bed om et gyldigt pas eller ID-kort."
    )
    assert str(error) == error.message


def test_not_eligible_translates_its_reasons():
    error = NotEligible(check(facts(nationality="GB")))
    catalogue = {
        NotEligible.template: "Refused. %(reasons)s",
        TEMPLATES["nationality_not_eea"]: "Not %(country)s.",
        "Storbritannien": "the UK",
    }
    assert error.message_in(lambda s: catalogue.get(s, s)) == "Refused. Not the UK."


def test_not_eligible_needs_a_block():
    with pytest.raises(ValueError, match="at least one block"):
        NotEligible(check(facts(nationality="SE")))


def test_not_eligible_survives_pickling():
    error = NotEligible(check(facts(nationality="US")))
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301
    assert copy.result == error.result
    assert copy.message == error.message


# --- Properties -----------------------------------------------------------------------

dates = st.one_of(st.none(), st.dates())
texts = st.one_of(st.text(max_size=12), st.sampled_from(["PL", "DE", "dk", "SE", "US", "GB", "CH"]))
numbers = st.one_of(
    st.text(max_size=14),
    st.from_regex(r"[0-9]{6}-?[0-9]{4}", fullmatch=True),
    st.sampled_from([VALID_NUMBER, FAILING_NUMBER, REPLACEMENT_NUMBER]),
)
intake = st.builds(
    IntakeFacts,
    nationality=texts,
    category=st.sampled_from(Category),
    birth_date=dates,
    document_expiry=dates,
    entry_date=dates,
    purpose=st.one_of(st.none(), st.sampled_from(Purpose)),
    expected_stay_months=st.one_of(st.none(), st.integers(min_value=-(10**6), max_value=10**6)),
    has_personnummer=st.booleans(),
    existing_personnummer=numbers,
    residence_registered=st.booleans(),
    asylum_case_id=st.text(max_size=8),
    decision_date=dates,
    decision_reference=st.text(max_size=8),
)


@given(intake, st.dates())
def test_check_eligibility_never_raises(data, today):
    result = check_eligibility(data, today=today)
    assert result.eligible == (result.blocks == ())
    assert set(result.block_codes) <= BLOCK_CODES
    assert set(result.warning_codes) <= WARNING_CODES
    for reason in result.reasons:
        assert reason.field in FIELDS
        assert isinstance(reason.message, str)
    assert check_eligibility(data, today=today) == result


@given(intake)
def test_danish_citizens_are_never_eligible(data):
    data = dataclasses.replace(data, nationality="DK")
    assert not check_eligibility(data, today=TODAY).eligible
