"""Checks of an uploaded identity-document image or scan. Pure Python + Pillow.

The type is decided by the content, never by the file name: JPEG, PNG or PDF.
Images must decode and stay under a pixel limit (no decompression bombs); PDFs
must not carry JavaScript or launch actions.
"""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass

from PIL import Image

from apoc.exceptions import DomainError, gettext_noop

__all__ = ["DocumentRejected", "VerifiedDocument", "verify_document"]

MAX_PIXELS = 40_000_000  # a 600 dpi A4 colour scan is about 35 million pixels

_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"%PDF-", "application/pdf", "pdf"),
)
_PDF_ACTIVE = re.compile(rb"/(JavaScript|JS|Launch|OpenAction|AA|EmbeddedFile|RichMedia|XFA)\b")


class DocumentRejected(DomainError):
    code = "document_rejected"
    template = gettext_noop("Filen kan ikke bruges som billede af ID-dokumentet.")


@dataclass(frozen=True)
class VerifiedDocument:
    content_type: str
    extension: str
    size: int


def _reject(code: str, template: str, **params: object) -> DocumentRejected:
    return DocumentRejected(template, code=code, params=params)


def verify_document(data: bytes, *, max_bytes: int) -> VerifiedDocument:
    """Accept a JPEG, PNG or PDF by content, or raise :class:`DocumentRejected`."""
    size = len(data)
    if size == 0:
        raise _reject("document_empty", gettext_noop("Filen er tom (0 byte)."))
    if size > max_bytes:
        raise _reject(
            "document_too_large",
            gettext_noop("Filen fylder %(size)s MB. Den må højst fylde %(limit)s MB."),
            size=f"{size / 1_048_576:.1f}",
            limit=f"{max_bytes / 1_048_576:.0f}",
        )
    found = next((entry for entry in _SIGNATURES if data.startswith(entry[0])), None)
    if found is None:
        raise _reject(
            "document_type",
            gettext_noop(
                "Filen er hverken et JPEG- eller PNG-billede eller en PDF, uanset hvad den "
                "hedder. Tag et farvefoto eller en scanning af dokumentet."
            ),
        )
    _, content_type, extension = found
    if content_type == "application/pdf":
        _check_pdf(data)
    else:
        _check_image(data)
    return VerifiedDocument(content_type=content_type, extension=extension, size=size)


def _check_pdf(data: bytes) -> None:
    if b"%%EOF" not in data[-2048:]:
        raise _reject(
            "document_damaged", gettext_noop("PDF-filen er ufuldstændig eller beskadiget.")
        )
    if _PDF_ACTIVE.search(data):
        raise _reject(
            "document_active_content",
            gettext_noop(
                "PDF-filen indeholder JavaScript, handlinger eller indlejrede filer og afvises. "
                "Scan dokumentet igen som billede eller almindelig PDF."
            ),
        )


def _check_image(data: bytes) -> None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise _reject(
                        "document_too_many_pixels",
                        gettext_noop(
                            "Billedet er %(width)d × %(height)d punkter, hvilket er for stort. "
                            "Gem det i lavere opløsning."
                        ),
                        width=width,
                        height=height,
                    )
                image.verify()
    except DocumentRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _reject(
            "document_too_many_pixels",
            gettext_noop("Billedet er for stort til at blive åbnet sikkert."),
        ) from None
    except Exception:
        raise _reject(
            "document_damaged", gettext_noop("Billedfilen er beskadiget og kan ikke åbnes.")
        ) from None
