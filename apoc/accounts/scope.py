"""Which jobcentres' data a member of staff may see: the one scoping rule.

Caseworkers and supervisors see their own jobcentre; national administrators
(permission ``accounts.view_all_jobcentres``) see every jobcentre; a user
without a jobcentre and without that permission sees nothing. Every list,
detail page, review, export and statistic filters through :func:`scope_for`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from django.db.models import Model, QuerySet

__all__ = ["ALL_JOBCENTRES", "Scope", "scope_for"]

#: The permission that lifts the limit to one's own jobcentre.
ALL_JOBCENTRES = "accounts.view_all_jobcentres"

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class Scope:
    """Every jobcentre, or one, or none."""

    everywhere: bool
    jobcentre_id: int | None

    def filter(self, queryset: QuerySet[M], field: str = "jobcentre_id") -> QuerySet[M]:
        """``queryset`` limited to the rows whose ``field`` is a jobcentre in scope."""
        if self.everywhere:
            return queryset
        if self.jobcentre_id is None:
            return queryset.none()
        return queryset.filter(**{field: self.jobcentre_id})

    def allows(self, jobcentre_id: int | None) -> bool:
        """Whether a row of ``jobcentre_id`` is in scope."""
        if self.everywhere:
            return True
        return self.jobcentre_id is not None and self.jobcentre_id == jobcentre_id


def scope_for(user: Any) -> Scope:
    """The jobcentres ``user`` may see."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Scope(everywhere=False, jobcentre_id=None)
    if user.has_perm(ALL_JOBCENTRES):
        return Scope(everywhere=True, jobcentre_id=None)
    return Scope(everywhere=False, jobcentre_id=getattr(user, "jobcentre_id", None) or None)
