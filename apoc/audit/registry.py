"""What the apps tell the access log about the people in it.

The access log is the base layer: it imports no app. The apps fill this
registry in their ``AppConfig.ready()``, and the log's admin and
``manage.py audit_for`` ask it:

* :func:`set_personnummer_reader`: how a typed personnummer is read, and how
  personnumre in free text are masked (the ``cpr`` app);
* :func:`register_person_subjects`: given a personnummer, the rows that are
  the person's, by subject type (``cpr``: the number; ``registrations``: the
  registrations, those linked to them by an annulment, their Jobnet
  accounts). The log finds every entry about such a row and every search,
  list and export that showed it (:mod:`apoc.audit.shown`);
* :func:`register_person_entries`: given a personnummer, other entries an app
  wrote about that person (``registrations``: the duplicate checks that
  compared its document);
* :func:`register_person_summary`: a line about the person for ``audit_for``;
* :func:`register_describer` and :func:`register_subject_label`: how an entry
  reads in ``audit_for``;
* :func:`register_details`: the names of the keys and coded values in an
  entry's details, for the log's admin (:mod:`apoc.audit.details`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.db.models import Q

__all__ = [
    "describe",
    "detail_keys",
    "detail_label",
    "detail_value",
    "mask_personnumre",
    "person_entries",
    "person_subjects",
    "person_summary",
    "read_personnummer",
    "register_describer",
    "register_details",
    "register_person_entries",
    "register_person_subjects",
    "register_person_summary",
    "register_subject_label",
    "set_personnummer_reader",
    "subject_label",
]

_reader: dict[str, Callable[[str], Any]] = {}
_person_entries: list[Callable[[str], Q | None]] = []
_person_subjects: list[Callable[[str], Mapping[str, Iterable[int]]]] = []
_summaries: list[Callable[[str], str | None]] = []
_describers: list[Callable[[Any], str | None]] = []
_subject_labels: dict[str, str] = {}
_detail_labels: dict[str, Any] = {}
_detail_values: dict[str, dict[str, Any]] = {}
_detail_namers: dict[str, Callable[[Any], str | None]] = {}


def set_personnummer_reader(*, read: Callable[[str], str], mask: Callable[[str], str]) -> None:
    """``read`` turns a typed number into ``DDMMYY-SSSS`` or raises a DomainError;
    ``mask`` masks every personnummer in a text."""
    _reader.update(read=read, mask=mask)


def read_personnummer(text: str) -> str:
    return _reader["read"](text)


def mask_personnumre(text: str) -> str:
    mask = _reader.get("mask")
    return mask(text) if mask is not None else text


def register_person_subjects(finder: Callable[[str], Mapping[str, Iterable[int]]]) -> None:
    """``finder(personnummer)`` gives {subject type: ids} of the rows that are the person's."""
    if finder not in _person_subjects:
        _person_subjects.append(finder)


def person_subjects(personnummer: str) -> dict[str, set[int]]:
    """Every app's rows of the person, by subject type (``"registrations.registration"``)."""
    subjects: dict[str, set[int]] = {}
    for finder in _person_subjects:
        for subject_type, ids in finder(personnummer).items():
            subjects.setdefault(subject_type, set()).update(ids)
    return {subject_type: ids for subject_type, ids in subjects.items() if ids}


def register_person_entries(finder: Callable[[str], Q | None]) -> None:
    """``finder(personnummer)`` gives a condition on AuditEntry, or None."""
    if finder not in _person_entries:
        _person_entries.append(finder)


def person_entries(personnummer: str) -> Q | None:
    """Every app's condition for the entries about the person, or None if none knows them."""
    conditions = [q for finder in _person_entries if (q := finder(personnummer)) is not None]
    if not conditions:
        return None
    combined = conditions[0]
    for condition in conditions[1:]:
        combined |= condition
    return combined


def register_person_summary(summary: Callable[[str], str | None]) -> None:
    if summary not in _summaries:
        _summaries.append(summary)


def person_summary(personnummer: str) -> list[str]:
    return [line for summary in _summaries if (line := summary(personnummer))]


def register_describer(describer: Callable[[Any], str | None]) -> None:
    """``describer(entry)`` says what an entry did in a data subject's words, or None."""
    if describer not in _describers:
        _describers.append(describer)


def describe(entry: Any) -> str | None:
    for describer in _describers:
        text = describer(entry)
        if text:
            return text
    return None


def register_subject_label(subject_type: str, label: str) -> None:
    """How ``audit_for`` names a kind of subject, e.g. "personnummeret"."""
    _subject_labels[subject_type] = label


def subject_label(subject_type: str) -> str | None:
    return _subject_labels.get(subject_type)


def register_details(
    labels: Mapping[str, Any],
    *,
    values: Mapping[str, Mapping[str, Any]] | None = None,
    namers: Mapping[str, Callable[[Any], str | None]] | None = None,
) -> None:
    """Names for the keys of an entry's details, and for the coded values of some keys.

    Names are lazy translations (``gettext_lazy``), so they read in the active language.
    ``values`` maps a key to {stored value: name}; the names of one key add up over calls.
    ``namers`` maps a key to a function that names a stored value (a row's id, say), or
    returns None when it cannot.
    """
    _detail_labels.update(labels)
    for key, names in (values or {}).items():
        _detail_values.setdefault(key, {}).update(names)
    _detail_namers.update(namers or {})


def detail_keys() -> frozenset[str]:
    """Every key somebody has named."""
    return frozenset(_detail_labels)


def detail_label(key: str) -> str:
    """The name of a key, or the key itself when nobody named it."""
    label = _detail_labels.get(key)
    return str(label) if label is not None else key


def detail_value(key: str, value: Any) -> str:
    """A value of ``key`` by its name where it is a known code, otherwise as it is."""
    namer = _detail_namers.get(key)
    name = namer(value) if namer is not None else _detail_values.get(key, {}).get(str(value))
    return str(name) if name is not None else str(value)
