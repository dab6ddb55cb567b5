"""Hostile and awkward uploads, built here so that each one is exactly what it says.

- :func:`pdf_with_escaped_javascript`: a PDF whose catalog opens with a
  JavaScript action, every name of it written with ``#xx`` escapes
  (``/Open#41ction``, ``/Java#53cript``, ``/J#53``), which a byte search for
  ``/OpenAction`` or ``/JavaScript`` does not find and every PDF reader reads;
- :func:`png_with_html`: a valid PNG with an HTML page after its end;
- :func:`jpeg_zip_polyglot`: a valid JPEG that is also a valid ZIP archive;
- :func:`png_pixel_bomb`: a valid PNG of 48 million pixels in a few kB;
- :func:`pdf_image_bomb`: a valid PDF drawing a 400-million-pixel image in a few kB;
- :func:`pdf_with_pages`: a valid PDF of any number of pages;
- :func:`jpeg_with_gps`: a photo with EXIF: GPS position, camera, orientation 6.

And what a clean rebuild is: :func:`assert_clean_png`, :func:`assert_clean_jpeg`,
:func:`assert_no_trace_of_hostile_content`. No Django here, so bench/ can use it.
"""

from __future__ import annotations

import io
import zipfile
import zlib

from PIL import ExifTags, Image

HTML = b"<html><body><script>alert(document.cookie)</script></body></html>"
ZIP_MEMBER = ("payload.html", HTML)


def pdf_document(objects: list[bytes], *, root: int = 1) -> bytes:
    """A PDF with a correct cross-reference table; object *n* is ``objects[n - 1]``."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        root,
        xref,
    )
    return bytes(out)


def stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s>>\nstream\n" % (len(data), extra) + data + b"\nendstream"


#: A black box in the upper left quarter of an A4 page, on white.
BLACK_BOX = b"0 g 50 500 250 300 re f"


def pdf_with_escaped_javascript() -> bytes:
    return pdf_document(
        [
            b"<< /Type /Catalog /Pages 2 0 R /Open#41ction 5 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
            stream(BLACK_BOX),
            b"<< /Type /Action /S /Java#53cript /J#53 (app.alert\\('pwned'\\)) >>",
        ]
    )


def pdf_with_pages(count: int) -> bytes:
    """``count`` A4 pages, each with the black box (one content stream shared)."""
    first_page = 4
    kids = b" ".join(b"%d 0 R" % (first_page + index) for index in range(count))
    pages = [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 3 0 R >>"] * count
    return pdf_document(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % count,
            stream(BLACK_BOX),
            *pages,
        ]
    )


def pdf_image_bomb(side: int = 8_000) -> bytes:
    """One page drawing a black-and-white image of ``side`` × ``side`` pixels, all white."""
    compressor = zlib.compressobj(9)
    row = b"\xff" * ((side + 7) // 8)
    body = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    image = stream(
        body,
        b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
        b"/BitsPerComponent 1 /Filter /FlateDecode " % (side, side),
    )
    return pdf_document(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /XObject << /Im0 5 0 R >> >> /Contents 4 0 R >>",
            stream(b"q 595 0 0 842 0 0 cm /Im0 Do Q"),
            image,
        ]
    )


def png_with_html() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 60)).save(buffer, format="PNG")
    return buffer.getvalue() + HTML


def jpeg_bytes(width: int = 40, height: int = 30, colour=(0, 120, 200)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, format="JPEG", quality=95)
    return buffer.getvalue()


def jpeg_zip_polyglot() -> bytes:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr(*ZIP_MEMBER)
    return jpeg_bytes() + archive.getvalue()


def png_pixel_bomb() -> bytes:
    """8,000 × 6,000 black-and-white pixels: valid, and 48 million pixels once decoded."""
    buffer = io.BytesIO()
    Image.new("1", (8_000, 6_000), 1).save(buffer, format="PNG")
    return buffer.getvalue()


#: Copenhagen City Hall, as degrees, minutes, seconds.
GPS_LATITUDE = (55.0, 40.0, 33.0)
GPS_LONGITUDE = (12.0, 34.0, 11.0)


def jpeg_with_gps() -> bytes:
    """60 × 40 pixels, red in its upper left corner, stored lying on its side.

    EXIF orientation 6 says: turn the picture 90° clockwise to show it. Shown,
    it is 40 × 60, and the red corner is the upper right one.
    """
    image = Image.new("RGB", (60, 40), (255, 255, 255))
    image.paste((255, 0, 0), (0, 0, 20, 15))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "Phone"
    exif[ExifTags.Base.Model] = "Camera 12"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = GPS_LATITUDE
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = GPS_LONGITUDE
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=95, exif=exif, comment=b"shot at the counter")
    return buffer.getvalue()


# --- What "clean" means --------------------------------------------------------------------------

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: What a rebuilt PNG may hold: the image, and nothing about it.
PNG_PIXEL_CHUNKS = {b"IHDR", b"PLTE", b"IDAT", b"IEND"}
#: What a rebuilt JPEG may hold before its scan: JFIF, tables, frame. No APPn but
#: APP0 (no EXIF/XMP in APP1, no ICC in APP2, no IPTC in APP13), no comment.
JPEG_PIXEL_MARKERS = {0xE0, 0xDB, 0xC4, 0xC0, 0xC2, 0xDD}


def png_chunks(data: bytes) -> list[bytes]:
    """The chunk types of a PNG, checking that nothing follows IEND."""
    assert data.startswith(PNG_SIGNATURE)
    kinds, at = [], len(PNG_SIGNATURE)
    while at < len(data):
        length = int.from_bytes(data[at : at + 4], "big")
        kinds.append(data[at + 4 : at + 8])
        at += 12 + length
        if kinds[-1] == b"IEND":
            break
    assert at == len(data), f"{len(data) - at} bytes after IEND"
    return kinds


def assert_clean_png(data: bytes) -> Image.Image:
    assert set(png_chunks(data)) <= PNG_PIXEL_CHUNKS
    image = Image.open(io.BytesIO(data))
    image.load()
    assert not image.getexif()
    return image


def jpeg_markers(data: bytes) -> list[int]:
    """The markers of a JPEG before its scan, checking that it ends where its scan ends."""
    assert data.startswith(b"\xff\xd8")
    markers, at = [], 2
    while True:
        assert data[at] == 0xFF
        marker = data[at + 1]
        markers.append(marker)
        length = int.from_bytes(data[at + 2 : at + 4], "big")
        at += 2 + length
        if marker == 0xDA:  # start of scan: entropy-coded data up to EOI
            break
    # In the scan an 0xFF byte is followed by 0x00 or a restart marker, never 0xD9.
    assert data.index(b"\xff\xd9", at) == len(data) - 2, "bytes after the image's end"
    return markers


def assert_clean_jpeg(data: bytes) -> Image.Image:
    assert set(jpeg_markers(data)) - {0xDA} <= JPEG_PIXEL_MARKERS
    assert b"Exif\x00\x00" not in data
    image = Image.open(io.BytesIO(data))
    image.load()
    assert not image.getexif()
    assert "icc_profile" not in image.info
    return image


def assert_no_trace_of_hostile_content(data: bytes) -> None:
    for marker in (b"<html", b"<script", b"PK\x03\x04", b"PK\x05\x06", b"%PDF", b"Java", b"#53"):
        assert marker not in data
