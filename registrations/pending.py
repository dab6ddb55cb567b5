"""A rebuilt upload kept between the steps of one intake submission.

Browsers do not resend a file when a form comes back with errors or warnings
to confirm, so the document waits in the private document storage under the
user's id and the submission's random token until the submission succeeds.
What waits is the rebuilt image (:mod:`registrations.uploads`), never the
file as it was sent: the names end in ``.rebuilt.jpg`` or ``.rebuilt.png``,
so a file left by an older version, kept as it was sent, is never taken up
(``manage.py purge_pending_documents`` removes it and whatever else was left
behind).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from .models import Registration
from .uploads import RebuiltDocument

#: What a rebuilt document can be; the part of the name after the token.
EXTENSIONS = {"rebuilt.jpg": "image/jpeg", "rebuilt.png": "image/png"}
FOLDER = "pending"


def _storage():
    return Registration._meta.get_field("document_file").storage


@dataclass(frozen=True)
class LoadedDocument:
    content: bytes
    extension: str
    content_type: str


@dataclass(frozen=True)
class PendingDocument:
    user_id: int
    token: uuid.UUID

    def _name(self, extension: str) -> str:
        return f"{FOLDER}/{self.user_id}-{self.token.hex}.{extension}"

    def _existing(self) -> str | None:
        storage = _storage()
        for extension in EXTENSIONS:
            if storage.exists(self._name(extension)):
                return extension
        return None

    def exists(self) -> bool:
        return self._existing() is not None

    def save(self, document: RebuiltDocument) -> None:
        self.discard()
        _storage().save(self._name(f"rebuilt.{document.extension}"), ContentFile(document.content))

    def load(self) -> LoadedDocument:
        extension = self._existing()
        if extension is None:
            raise FileNotFoundError("no pending document")
        with _storage().open(self._name(extension), "rb") as handle:
            content = handle.read()
        return LoadedDocument(content, extension.removeprefix("rebuilt."), EXTENSIONS[extension])

    def describe(self) -> dict[str, object] | None:
        extension = self._existing()
        if extension is None:
            return None
        return {
            "type": extension.removeprefix("rebuilt.").upper(),
            "size_kb": max(1, _storage().size(self._name(extension)) // 1024),
        }

    def discard(self) -> None:
        storage = _storage()
        for extension in EXTENSIONS:
            if storage.exists(self._name(extension)):
                storage.delete(self._name(extension))


def purge_stale(*, older_than: timedelta = timedelta(hours=12)) -> int:
    storage = _storage()
    try:
        _, files = storage.listdir(FOLDER)
    except FileNotFoundError:
        return 0
    cutoff = timezone.now() - older_than
    removed = 0
    for name in files:
        path = f"{FOLDER}/{name}"
        if storage.get_modified_time(path) < cutoff:
            storage.delete(path)
            removed += 1
    return removed
