import io
import zlib

import pytest
from PIL import Image

from registrations.uploads import DocumentRejected, verify_document
from tests.factories import png_bytes

LIMIT = 1_000_000


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 10), (0, 120, 200)).save(buffer, format="JPEG")
    return buffer.getvalue()


def pdf_bytes(extra: bytes = b"") -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R " + extra + b">> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    )


def test_png_jpeg_and_pdf_are_accepted_by_content():
    assert verify_document(png_bytes(), max_bytes=LIMIT).content_type == "image/png"
    assert verify_document(jpeg_bytes(), max_bytes=LIMIT).content_type == "image/jpeg"
    verified = verify_document(pdf_bytes(), max_bytes=LIMIT)
    assert (verified.content_type, verified.extension) == ("application/pdf", "pdf")


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "document_empty"),
        (b"MZ\x90\x00\x03" + b"\x00" * 200, "document_type"),  # a Windows executable
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 100, "document_type"),
        (b"GIF89a" + b"\x00" * 50, "document_type"),
        (b"<html><script>alert(1)</script>", "document_type"),
        (b"\x89PNG\r\n\x1a\n" + b"garbage" * 10, "document_damaged"),
        (b"\xff\xd8\xff" + b"not really a jpeg", "document_damaged"),
        (b"%PDF-1.4\n no end", "document_damaged"),
    ],
)
def test_files_that_are_not_what_they_claim_are_refused(content, code):
    with pytest.raises(DocumentRejected) as err:
        verify_document(content, max_bytes=LIMIT)
    assert err.value.code == code
    assert err.value.message


@pytest.mark.parametrize(
    "active",
    [
        b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>",
        b"/AA << /O 3 0 R >>",
        b"/Launch (cmd.exe)",
        b"/Names << /EmbeddedFiles 4 0 R >>".replace(b"EmbeddedFiles", b"EmbeddedFile"),
    ],
)
def test_pdf_with_javascript_or_actions_is_refused(active):
    with pytest.raises(DocumentRejected) as err:
        verify_document(pdf_bytes(active), max_bytes=LIMIT)
    assert err.value.code == "document_active_content"


def test_oversized_file_is_refused_with_the_limit():
    with pytest.raises(DocumentRejected) as err:
        verify_document(png_bytes() + b"\x00" * LIMIT, max_bytes=LIMIT)
    assert err.value.code == "document_too_large"
    assert "1 MB" in err.value.message


def decompression_bomb() -> bytes:
    """A PNG header claiming 100,000 × 100,000 pixels with a tiny compressed body."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")
        )

    header = (100_000).to_bytes(4, "big") * 2 + bytes([8, 0, 0, 0, 0])
    body = zlib.compress(b"\x00" * 100_001 * 20, 9)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")
    )


def test_decompression_bomb_is_refused_before_decoding():
    with pytest.raises(DocumentRejected) as err:
        verify_document(decompression_bomb(), max_bytes=LIMIT)
    assert err.value.code == "document_too_many_pixels"
