"""Search CPR before a number is given: the intake's look-up step.

Before a new number is allocated, APOC asks CPR (:mod:`cpr.lookup`, chosen by
``CPR_LOOKUP``) about the person:

* a personnummer the person presents is looked up; a number CPR does not know,
  a different name, birth date or sex, or an ended status is a warning to
  confirm;
* without a number, and when the search service is on, CPR is searched for
  the names, birth date and sex. Candidates are shown to the caseworker
  (masked numbers, names, birth date, CPR status), who chooses "Det er
  personen" (the existing number is used, no new one is given) or "Ikke
  personen" (with a reason). Both choices are kept and logged.
* when CPR does not answer, the intake can go on only after the caseworker
  confirms a warning, and the registration is marked for ``cpr_reconcile``.

The embedded look-up (training) knows only APOC's own register, so a number it
does not know is no warning there.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from apoc.exceptions import DomainError, Msg, gettext_noop
from apoc.training import is_training_only
from cpr.eligibility import Reason
from cpr.lookup import REASONS, CprLookup, CprPerson, LookupUnavailable, get_lookup
from cpr.personnummer import Personnummer, try_parse
from cpr.statuses import Kind, by_code
from documents.names import name_key

from .intake import CPR_TEMPLATES, IntakeData, IntakeDecision

__all__ = [
    "CprAnswer",
    "CprCandidatesFound",
    "CprCheckResult",
    "NotPersonReasonRequired",
    "cpr_check",
    "with_cpr",
]


def _warning(code: str, field: str | None = None, **params: object) -> Reason:
    return Reason(code=code, template=CPR_TEMPLATES[code], field=field, params=params)


class CprCandidatesFound(DomainError):
    """CPR knows people who may be this person: the caseworker must choose."""

    code = "cpr_candidates"
    template = gettext_noop(
        "CPR kender personer, der kan være den samme person. Vælg »Det er personen« ud for den "
        "rigtige, så bruges personens eget nummer, eller »Ikke personen« med en begrundelse."
    )

    def __init__(self, candidates: tuple[CprPerson, ...]) -> None:
        self.candidates = candidates
        super().__init__()


class NotPersonReasonRequired(DomainError):
    code = "cpr_not_person_reason"
    template = gettext_noop("Skriv hvorfor ingen af personerne i CPR er personen.")


@dataclass(frozen=True)
class CprAnswer:
    """The caseworker's answer to the candidates: the chosen number, or why none is it."""

    chosen: str = ""  # DDMMYY-SSSS of "Det er personen"
    not_person_reason: str = ""  # "Ikke personen"


@dataclass(frozen=True)
class CprCheckResult:
    """What the look-up step found, to store with the registration."""

    kind: str  # "number" (a presented number looked up), "search", or "none"
    result: str  # see registrations.models.CprCheck.Result
    warnings: tuple[Reason, ...] = ()
    candidates: tuple[CprPerson, ...] = ()
    chosen: Personnummer | None = None
    reason: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def pending(self) -> bool:
        """CPR must be asked again later (the nightly reconciliation)."""
        return self.result == "unavailable"


def cpr_check(
    *,
    data: IntakeData,
    decision: IntakeDecision,
    answer: CprAnswer | None,
    today: date,
    on_behalf_of: str = "",
    lookup: CprLookup | None = None,
) -> CprCheckResult:
    """Ask CPR about the person before a number is given (see the module).

    Raises ``CprCandidatesFound`` when a search found people and the caseworker
    has not answered yet, and ``NotPersonReasonRequired`` for "Ikke personen"
    without a reason.
    """
    lookup = lookup or get_lookup(on_behalf_of=on_behalf_of)
    try:
        if decision.existing_number is not None:
            return _looked_up(lookup, decision.existing_number, data)
        if not lookup.searches:
            return CprCheckResult(kind="none", result="not_searched")
        return _searched(lookup, data, answer, today)
    except LookupUnavailable as error:
        return CprCheckResult(
            kind="number" if decision.existing_number is not None else "search",
            result="unavailable",
            warnings=(_warning("cpr_unavailable", why=Msg(REASONS[error.reason])),),
            details={"error": error.reason},
        )


def _looked_up(lookup: CprLookup, number: Personnummer, data: IntakeData) -> CprCheckResult:
    person = lookup.person(str(number))
    if person is None:
        if is_training_only(lookup):
            return CprCheckResult(kind="number", result="not_searched")
        return CprCheckResult(
            kind="number",
            result="number_unknown",
            warnings=(
                _warning("cpr_number_unknown", "existing_personnummer", masked=number.masked),
            ),
        )
    return CprCheckResult(
        kind="number",
        result="number_found",
        warnings=tuple(_differences(person, number, data)),
        candidates=(person,),
    )


def _differences(person: CprPerson, number: Personnummer, data: IntakeData) -> list[Reason]:
    found = []
    if person.surname and name_key(person.surname, person.given_names) != name_key(
        data.surname, data.given_names
    ):
        found.append(
            _warning(
                "cpr_name_differs",
                "existing_personnummer",
                masked=number.masked,
                cpr_name=f"{person.given_names} {person.surname}".strip(),
            )
        )
    if person.birth_date is not None and person.birth_date != data.birth_date:
        found.append(
            _warning(
                "cpr_birth_date_differs",
                "existing_personnummer",
                masked=number.masked,
                cpr_date=person.birth_date.strftime("%d.%m.%Y"),
                given=data.birth_date.strftime("%d.%m.%Y"),
            )
        )
    status = by_code(person.status)
    if status is not None and status.kind == Kind.ENDED:
        found.append(
            _warning(
                "cpr_status_ended",
                "existing_personnummer",
                masked=number.masked,
                status=status.label,
            )
        )
    return found


def _searched(
    lookup: CprLookup, data: IntakeData, answer: CprAnswer | None, today: date
) -> CprCheckResult:
    candidates = tuple(
        lookup.search(
            given_names=data.given_names,
            surname=data.surname,
            birth_date=data.birth_date,
            sex=data.sex,
        )
    )
    if not candidates:
        return CprCheckResult(kind="search", result="no_match")
    if answer is None or not (answer.chosen or answer.not_person_reason or answer == CprAnswer()):
        raise CprCandidatesFound(candidates)
    chosen = next((c for c in candidates if c.personnummer == answer.chosen), None)
    if chosen is not None:
        return CprCheckResult(
            kind="search",
            result="person_confirmed",
            candidates=candidates,
            chosen=try_parse(chosen.personnummer, today),
        )
    if answer.chosen:
        raise CprCandidatesFound(candidates)  # a number that is no candidate (any more)
    if not answer.not_person_reason.strip():
        raise NotPersonReasonRequired()
    return CprCheckResult(
        kind="search",
        result="not_person",
        candidates=candidates,
        reason=answer.not_person_reason.strip(),
    )


def with_cpr(decision: IntakeDecision, result: CprCheckResult) -> IntakeDecision:
    """The decision with what CPR said: its warnings, and the person's own number when the
    caseworker chose "Det er personen"."""
    changes: dict[str, Any] = {"cpr": result, "extra_warnings": result.warnings}
    if result.chosen is not None:
        changes["existing_number"] = result.chosen
        changes["keys"] = dataclasses.replace(decision.keys, personnummer=str(result.chosen))
    return dataclasses.replace(decision, **changes)


def candidate_rows(candidates: tuple[CprPerson, ...]) -> list[dict[str, str]]:
    """What is kept and shown of each person CPR found: no full numbers."""
    return [
        {
            "masked": person.masked,
            "name": f"{person.given_names} {person.surname}".strip(),
            "birth_date": person.birth_date.strftime("%d.%m.%Y") if person.birth_date else "",
            "status": person.status,
            "status_label": status.label if (status := by_code(person.status)) else "",
        }
        for person in candidates
    ]
