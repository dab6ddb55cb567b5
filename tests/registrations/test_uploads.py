"""What registrations.uploads accepts and refuses, by content (the rebuild: test_upload_rebuild.py)."""

import io
import zlib

import pytest
from PIL import Image

from registrations.uploads import DocumentRejected, rebuild_document
from tests.factories import png_bytes

from .upload_fixtures import assert_clean_jpeg, assert_clean_png, pdf_with_pages

LIMIT = 1_000_000


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 10), (0, 120, 200)).save(buffer, format="JPEG")
    return buffer.getvalue()


def test_png_jpeg_and_pdf_are_accepted_by_content_and_rebuilt():
    png = rebuild_document(png_bytes(), max_bytes=LIMIT)
    assert (png.content_type, png.extension, png.sent_type) == ("image/png", "png", "image/png")
    assert_clean_png(png.content)
    jpeg = rebuild_document(jpeg_bytes(), max_bytes=LIMIT)
    assert (jpeg.content_type, jpeg.extension) == ("image/jpeg", "jpg")
    assert_clean_jpeg(jpeg.content)
    pdf = rebuild_document(pdf_with_pages(1), max_bytes=LIMIT)
    assert (pdf.content_type, pdf.extension, pdf.sent_type) == (
        "image/png",
        "png",
        "application/pdf",
    )
    assert_clean_png(pdf.content)


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
        (png_bytes(200, 200)[:-200], "document_damaged"),  # cut off
        (b"%PDF-1.4\n no end", "document_pdf_unreadable"),
    ],
)
def test_files_that_are_not_what_they_claim_are_refused(content, code):
    with pytest.raises(DocumentRejected) as err:
        rebuild_document(content, max_bytes=LIMIT)
    assert err.value.code == code
    assert err.value.message


def test_a_gif_inside_a_jpeg_name_is_not_decoded_as_a_gif():
    """The signature decides which decoder runs, and only that one."""
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, format="GIF")
    with pytest.raises(DocumentRejected) as err:
        rebuild_document(b"\xff\xd8\xff" + buffer.getvalue(), max_bytes=LIMIT)
    assert err.value.code == "document_damaged"


def test_oversized_file_is_refused_with_the_limit():
    with pytest.raises(DocumentRejected) as err:
        rebuild_document(png_bytes() + b"\x00" * LIMIT, max_bytes=LIMIT)
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
        rebuild_document(decompression_bomb(), max_bytes=LIMIT)
    assert err.value.code == "document_too_many_pixels"
