"""What the ``cpr`` app tells the access log (:mod:`apoc.audit.registry`)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apoc.audit import registry

from .models import Allocation, CprStatus, StatusSource
from .personnummer import mask_all, parse


def _read(text: str) -> str:
    return str(parse(text, timezone.localdate()))


def _allocation(number: str) -> dict[str, list[int]]:
    """The number in the register is the person's."""
    return {
        "cpr.allocation": list(
            Allocation.objects.filter(personnummer=number).values_list("pk", flat=True)
        )
    }


def _summary(number: str) -> str | None:
    allocation = Allocation.objects.filter(personnummer=number).first()
    if allocation is None:
        return None
    return (
        f"Personnummeret har CPR-status {allocation.cpr_status} og blev registreret "
        f"{timezone.localtime(allocation.allocated_at):%d.%m.%Y}."
    )


def register() -> None:
    registry.set_personnummer_reader(read=_read, mask=mask_all)
    registry.register_person_subjects(_allocation)
    registry.register_person_summary(_summary)
    registry.register_subject_label("cpr.allocation", "personnummeret")
    # A change of CPR status (cpr.services): the new status, the old, when, and the source.
    # "from" is also a review's previous status: both names are kept.
    registry.register_details(
        {"cpr_status": _("CPR-status"), "effective": _("gældende fra"), "source": _("kilde")},
        values={
            "cpr_status": dict(CprStatus.choices),
            "from": dict(CprStatus.choices),
            "source": dict(StatusSource.choices),
        },
    )
