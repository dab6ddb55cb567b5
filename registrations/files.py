"""The identity-document files: stored at intake, served to staff who may see them.

A file lives in the private document storage (``DocumentStorage``, no URL)
and a registration refers to it by name. The file is written before the
intake's transaction and the transaction may fail, so :func:`stored_document`
removes the file again on any failure, except when a registration refers to
it after all, or when the database cannot say and the intake had got as far
as its COMMIT: when the connection drops while PostgreSQL commits, the
commit's outcome is unknown to APOC, and a file without a registration is a
smaller loss than a registration without its document. A failure before the
COMMIT (the database going away in the middle of the transaction) committed
nothing, so the file goes even when the database is gone. ``manage.py
purge_documents`` removes files that no registration refers to once they are
a day old (:func:`orphan_documents`), as well as the documents whose retention
period has passed (:mod:`registrations.retention`).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import DatabaseError
from django.db.transaction import TransactionManagementError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render

from apoc.audit.services import Action, AuditContext, audit_record
from apoc.db import reconnect_if_broken

from .models import Registration

__all__ = [
    "StoredFile",
    "SubmittedDocument",
    "discard_unless_referenced",
    "document_response",
    "document_storage",
    "orphan_documents",
    "stored_document",
]

logger = logging.getLogger(__name__)

FOLDER = "documents"


#: What APOC stores: the images :mod:`registrations.uploads` rebuilds, never a PDF.
STORED_TYPES = {"image/jpeg": "jpg", "image/png": "png"}


@dataclass(frozen=True)
class SubmittedDocument:
    """A rebuilt upload (:mod:`registrations.uploads`): its bytes, file extension and type."""

    content: bytes
    extension: str
    content_type: str

    def __post_init__(self) -> None:
        if STORED_TYPES.get(self.content_type) != self.extension:
            raise ValueError(f"not a rebuilt document: {self.content_type} .{self.extension}")


@dataclass
class StoredFile:
    """A document's file, written before the intake's transaction.

    The intake sets ``committing`` as the last thing inside its transaction:
    a failure after that may be a COMMIT that went through.
    """

    name: str
    committing: bool = False


def document_storage() -> Storage:
    return Registration._meta.get_field("document_file").storage


@contextmanager
def stored_document(document: SubmittedDocument) -> Iterator[StoredFile]:
    """Store the document under a new random name and yield it.

    On any failure inside the block the file is removed again, unless a
    registration refers to it, or the database cannot tell and the failure
    may have been the COMMIT's (see the module).
    """
    storage = document_storage()
    stored = StoredFile(
        storage.save(
            f"{FOLDER}/{uuid.uuid4().hex}.{document.extension}", ContentFile(document.content)
        )
    )
    try:
        yield stored
    except BaseException:
        discard_unless_referenced(stored.name, committing=stored.committing)
        raise


def _referenced(name: str) -> bool | None:
    """Whether a registration refers to the file; None when the database cannot say."""
    try:
        reconnect_if_broken()
        return Registration.objects.filter(document_file=name).exists()
    except (DatabaseError, TransactionManagementError):
        return None


def discard_unless_referenced(name: str, *, committing: bool = True) -> None:
    """Remove a stored document that no registration refers to.

    When the database cannot say, the file is kept if a transaction that
    refers to it may have committed (``committing``), and removed if not.
    """
    referenced = _referenced(name)
    if referenced is False or (referenced is None and not committing):
        document_storage().delete(name)
    elif referenced is None:
        logger.warning("kept document %s: the database could not say whether it is used", name)


#: How many listed files are checked against the registrations in one query.
ORPHAN_CHUNK = 1000


def orphan_documents(*, older_than: timedelta, now: datetime) -> Iterator[str]:
    """The stored documents no registration refers to, last written before ``now - older_than``.

    Such a file is left when an intake's COMMIT had an unknown outcome (see the
    module), or when a crash came between a retention deletion's commit and the
    file's removal. A young file may belong to an intake still under way, so
    only old ones are named.
    """
    storage = document_storage()
    try:
        _, files = storage.listdir(FOLDER)
    except FileNotFoundError:
        return
    cutoff = now - older_than
    names = sorted(f"{FOLDER}/{name}" for name in files)
    for start in range(0, len(names), ORPHAN_CHUNK):
        chunk = names[start : start + ORPHAN_CHUNK]
        referenced = set(
            Registration.objects.filter(document_file__in=chunk).values_list(
                "document_file", flat=True
            )
        )
        for name in chunk:
            if name not in referenced and _written_before(storage, name, cutoff):
                yield name


def _written_before(storage: Storage, name: str, cutoff: datetime) -> bool:
    try:
        return storage.get_modified_time(name) < cutoff
    except FileNotFoundError:  # removed meanwhile
        return False


def document_response(request: HttpRequest, registration: Registration, by: AuditContext) -> Any:
    """The registration's document image, inline and never cached, with the view logged.

    A file that is missing answers with a page that says so (404), never a 500.
    A document deleted under the retention rule answers with a page that says
    when (410 Gone: it existed and was removed on purpose, for good). Nothing
    is shown then, so nothing is logged as a view.
    """
    if registration.document_deleted_at is not None:
        return _deleted(request, registration)
    audit_record(by, action=Action.VIEW_DOCUMENT, subject=registration)
    try:
        handle = registration.document_file.open("rb")
    except (FileNotFoundError, ValueError):
        logger.error("the document of registration %s is missing", registration.pk)
        return _missing(request, registration)
    response = FileResponse(handle, content_type=registration.document_content_type)
    if registration.document_content_type in STORED_TYPES:
        response["Content-Disposition"] = "inline"
    else:
        # Kept as it was sent, before uploads were rebuilt (a PDF): never shown in the
        # browser, where a script in it could run, only saved.
        response["Content-Disposition"] = "attachment"
        response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "no-store"
    return response


def _missing(request: HttpRequest, registration: Registration) -> HttpResponse:
    return render(
        request, "registrations/document_missing.html", {"registration": registration}, status=404
    )


def _deleted(request: HttpRequest, registration: Registration) -> HttpResponse:
    return render(
        request, "registrations/document_deleted.html", {"registration": registration}, status=410
    )
