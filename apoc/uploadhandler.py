"""Uploaded files stay in memory: nothing a client sends is written to disk as sent.

Django's default handlers write a file larger than 2.5 MB to a temporary file
while the request is read. APOC's one upload, the identity document, is
rebuilt from its pixels before anything is stored (``registrations.uploads``),
so the file as sent must not reach the disk, not even the temporary folder.

:class:`MemoryOnlyUploadHandler` keeps each file in memory, but at most
``DOCUMENT_MAX_BYTES + 1`` bytes of it: the rest is read and dropped, and the
file's ``size`` is the size that was sent, so the form can say how large the
file may be. ``DATA_UPLOAD_MAX_NUMBER_FILES`` bounds the files in one request.
"""

from __future__ import annotations

import io

from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler

__all__ = ["MemoryOnlyUploadHandler"]


class MemoryOnlyUploadHandler(FileUploadHandler):
    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.kept = io.BytesIO()
        self.received = 0
        self.keep = settings.DOCUMENT_MAX_BYTES + 1

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        room = self.keep - self.kept.tell()
        if room > 0:
            self.kept.write(raw_data[:room])
        self.received += len(raw_data)
        return None

    def file_complete(self, file_size: int) -> InMemoryUploadedFile:
        self.kept.seek(0)
        return InMemoryUploadedFile(
            file=self.kept,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=self.received,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )
