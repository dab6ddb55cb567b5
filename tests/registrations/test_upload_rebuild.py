"""Uploads are rebuilt, never kept as sent: through the module (the intake: test_upload_intake.py).

Each hostile fixture (tests/registrations/upload_fixtures.py) is first shown to
be what it claims (the PDF really opens with JavaScript, the polyglot really is
a ZIP), then shown to come out as a clean image: nothing after the image's
end, no metadata, no PDF.
"""

from __future__ import annotations

import io
import zipfile

import pytest
from PIL import ExifTags, Image, ImageCms
from PIL.PngImagePlugin import PngInfo
from pypdf import PdfReader, PdfWriter

from registrations import uploads
from registrations.uploads import DocumentRejected, rebuild_document

from . import upload_fixtures as fx
from .upload_fixtures import assert_clean_jpeg, assert_clean_png, assert_no_trace_of_hostile_content

LIMIT = 10 * 1024 * 1024

# --- The fixtures are what they claim --------------------------------------------------------


def test_the_pdf_opens_with_javascript_that_a_byte_search_does_not_see():
    data = fx.pdf_with_escaped_javascript()
    for name in (b"/OpenAction", b"/JavaScript", b"/JS", b"/AA", b"/Launch"):
        assert name not in data
    action = PdfReader(io.BytesIO(data)).trailer["/Root"]["/OpenAction"]
    assert action["/S"] == "/JavaScript"
    assert "app.alert" in action["/JS"]


def test_the_polyglot_is_a_jpeg_and_a_zip_and_the_png_carries_html():
    polyglot = fx.jpeg_zip_polyglot()
    Image.open(io.BytesIO(polyglot)).load()
    with zipfile.ZipFile(io.BytesIO(polyglot)) as archive:
        assert archive.read(fx.ZIP_MEMBER[0]) == fx.HTML
    png = fx.png_with_html()
    Image.open(io.BytesIO(png)).load()
    assert png.endswith(fx.HTML)


def test_the_photo_carries_gps_and_an_orientation():
    with Image.open(io.BytesIO(fx.jpeg_with_gps())) as photo:
        exif = photo.getexif()
        assert exif[ExifTags.Base.Orientation] == 6
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
        assert tuple(float(v) for v in gps[ExifTags.GPS.GPSLatitude]) == fx.GPS_LATITUDE


# --- Through the module ----------------------------------------------------------------------


def test_a_pdf_with_escaped_javascript_becomes_a_png_of_its_page():
    rebuilt = rebuild_document(fx.pdf_with_escaped_javascript(), max_bytes=LIMIT)
    assert (rebuilt.content_type, rebuilt.extension) == ("image/png", "png")
    assert (rebuilt.sent_type, rebuilt.pages) == ("application/pdf", 1)
    assert_no_trace_of_hostile_content(rebuilt.content)
    image = assert_clean_png(rebuilt.content).convert("RGB")
    # A4 at 200 dpi; the black box (50..300 × 542..842 from the top in points) is drawn.
    assert abs(image.width - 1654) <= 1 and abs(image.height - 2339) <= 1
    scale = 200 / 72
    assert image.getpixel((int(150 * scale), int(150 * scale))) == (0, 0, 0)
    assert image.getpixel((int(450 * scale), int(150 * scale))) == (255, 255, 255)
    assert image.getpixel((int(150 * scale), int(600 * scale))) == (255, 255, 255)


def test_the_pages_of_a_pdf_are_stacked_in_one_png():
    rebuilt = rebuild_document(fx.pdf_with_pages(3), max_bytes=LIMIT)
    image = assert_clean_png(rebuilt.content).convert("RGB")
    page_height = round(842 * 200 / 72)
    assert rebuilt.pages == 3
    assert abs(image.height - (3 * page_height + 2 * 16)) <= 3
    gap = (image.width // 2, page_height + 8)
    assert image.getpixel(gap) == (160, 160, 160)  # the grey between two pages


def test_a_scanned_pdf_becomes_a_jpeg_and_a_pdf_of_text_and_lines_a_png():
    scan = Image.new("RGB", (850, 1100), (250, 250, 245))
    scan.paste((30, 60, 160), (100, 100, 400, 300))
    buffer = io.BytesIO()
    scan.save(buffer, "PDF", resolution=100)
    scanned = rebuild_document(buffer.getvalue(), max_bytes=LIMIT)
    assert (scanned.content_type, scanned.extension, scanned.pages) == ("image/jpeg", "jpg", 1)
    image = assert_clean_jpeg(scanned.content).convert("RGB")
    assert image.size == (1700, 2200)  # 8.5 × 11 inches at 200 dpi
    blue = image.getpixel((500, 400))
    assert blue[2] > 130 and blue[0] < 70
    drawn = rebuild_document(fx.pdf_with_pages(1), max_bytes=LIMIT)
    assert drawn.content_type == "image/png"


def test_html_after_a_png_is_left_behind():
    rebuilt = rebuild_document(fx.png_with_html(), max_bytes=LIMIT)
    assert rebuilt.content_type == "image/png"
    assert_no_trace_of_hostile_content(rebuilt.content)
    image = assert_clean_png(rebuilt.content)
    assert image.size == (40, 30)
    assert image.convert("RGB").getpixel((5, 5)) == (200, 30, 60)


def test_the_zip_in_a_jpeg_polyglot_is_left_behind():
    rebuilt = rebuild_document(fx.jpeg_zip_polyglot(), max_bytes=LIMIT)
    assert (rebuilt.content_type, rebuilt.extension) == ("image/jpeg", "jpg")
    assert_no_trace_of_hostile_content(rebuilt.content)
    assert assert_clean_jpeg(rebuilt.content).size == (40, 30)
    with pytest.raises(zipfile.BadZipFile):
        zipfile.ZipFile(io.BytesIO(rebuilt.content))


def test_gps_and_every_other_exif_field_is_dropped_and_the_orientation_applied():
    rebuilt = rebuild_document(fx.jpeg_with_gps(), max_bytes=LIMIT)
    assert b"Phone" not in rebuilt.content and b"counter" not in rebuilt.content
    image = assert_clean_jpeg(rebuilt.content).convert("RGB")
    assert image.size == (40, 60)  # upright
    red_corner, white_corner = image.getpixel((35, 4)), image.getpixel((4, 4))
    assert red_corner[0] > 200 and red_corner[1] < 60 and red_corner[2] < 60
    assert min(white_corner) > 200


def test_a_colour_profile_is_applied_and_dropped():
    buffer = io.BytesIO()
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    Image.new("RGB", (20, 20), (10, 200, 30)).save(buffer, "JPEG", icc_profile=srgb)
    assert srgb[:20] in buffer.getvalue()
    rebuilt = rebuild_document(buffer.getvalue(), max_bytes=LIMIT)
    assert_clean_jpeg(rebuilt.content)
    assert srgb[:20] not in rebuilt.content


def test_text_chunks_and_transparency_of_a_png_are_dropped():
    image = Image.new("RGBA", (10, 10), (0, 0, 255, 0))
    image.paste((0, 0, 255, 255), (0, 0, 5, 10))
    info = PngInfo()
    info.add_text("Comment", "<script>alert(1)</script>")
    buffer = io.BytesIO()
    image.save(buffer, "PNG", pnginfo=info)
    rebuilt = rebuild_document(buffer.getvalue(), max_bytes=LIMIT)
    clean = assert_clean_png(rebuilt.content)
    assert clean.mode == "RGB"
    assert clean.getpixel((2, 2)) == (0, 0, 255)
    assert clean.getpixel((8, 2)) == (255, 255, 255)  # transparent: laid on white


def test_a_cmyk_jpeg_becomes_an_rgb_jpeg():
    buffer = io.BytesIO()
    Image.new("CMYK", (16, 16), (0, 255, 255, 0)).save(buffer, "JPEG")
    clean = assert_clean_jpeg(rebuild_document(buffer.getvalue(), max_bytes=LIMIT).content)
    assert clean.mode == "RGB"
    red = clean.getpixel((8, 8))
    assert red[0] > 200 and red[1] < 60


def test_a_valid_image_of_too_many_pixels_is_refused_before_decoding():
    with pytest.raises(DocumentRejected) as refused:
        rebuild_document(fx.png_pixel_bomb(), max_bytes=LIMIT)
    assert refused.value.code == "document_too_many_pixels"
    assert "8000 × 6000" in refused.value.message


def test_a_pdf_drawing_an_image_of_too_many_pixels_is_refused():
    data = fx.pdf_image_bomb()
    assert len(data) < 100_000
    with pytest.raises(DocumentRejected) as refused:
        rebuild_document(data, max_bytes=LIMIT)
    assert refused.value.code == "document_too_many_pixels"
    assert "PDF" in refused.value.message


def test_a_pdf_of_500_pages_is_refused_with_the_count_and_the_limit():
    with pytest.raises(DocumentRejected) as refused:
        rebuild_document(fx.pdf_with_pages(500), max_bytes=LIMIT)
    assert refused.value.code == "document_too_many_pages"
    assert "500 sider" in refused.value.message
    assert f"højst have {uploads.PDF_MAX_PAGES}" in refused.value.message


def test_the_page_limit_itself_is_allowed(monkeypatch):
    monkeypatch.setattr(uploads, "PDF_MAX_PAGES", 2)
    assert rebuild_document(fx.pdf_with_pages(2), max_bytes=LIMIT).pages == 2
    with pytest.raises(DocumentRejected) as refused:
        rebuild_document(fx.pdf_with_pages(3), max_bytes=LIMIT)
    assert refused.value.code == "document_too_many_pages"


def test_a_password_protected_pdf_is_refused_with_its_own_message():
    writer = PdfWriter(clone_from=io.BytesIO(fx.pdf_with_pages(1)))
    writer.encrypt(user_password="hemmelig", algorithm="AES-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(DocumentRejected) as refused:
        rebuild_document(buffer.getvalue(), max_bytes=LIMIT)
    assert refused.value.code == "document_pdf_encrypted"
    assert "adgangskode" in refused.value.message


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.4\n no end",
        b"%PDF-1.7\n" + b"\x00" * 1000,
        fx.pdf_document([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] "]),
    ],
)
def test_a_pdf_that_cannot_be_read_is_refused(content):
    with pytest.raises(DocumentRejected) as refused:
        rebuild_document(content, max_bytes=LIMIT)
    assert refused.value.code == "document_pdf_unreadable"


def test_a_renderer_that_runs_out_of_memory_is_a_refusal(monkeypatch, caplog):
    monkeypatch.setattr(uploads, "PDF_MEMORY_BYTES", 16 * 1024 * 1024)
    with pytest.raises(DocumentRejected) as refused:
        rebuild_document(fx.pdf_with_pages(1), max_bytes=LIMIT)
    assert refused.value.code == "document_pdf_unrenderable"
    assert "the PDF renderer stopped" in caplog.text


def test_a_renderer_that_takes_too_long_is_stopped_and_a_refusal(monkeypatch, caplog):
    monkeypatch.setattr(uploads, "PDF_WALL_SECONDS", 0.01)
    with pytest.raises(DocumentRejected) as refused:
        rebuild_document(fx.pdf_with_pages(1), max_bytes=LIMIT)
    assert refused.value.code == "document_pdf_unrenderable"
    assert "not rendered within" in caplog.text


@pytest.mark.parametrize(
    "answer",
    [
        b"",
        b"not json\n",
        b'{"width": 10, "height": 10, "pages": 1}\n' + b"\x00" * 299,  # short by one byte
        b'{"width": 100000, "height": 100000, "pages": 1}\n',
        b'{"refused": "something_else", "params": {}}\n',
    ],
)
def test_an_answer_from_the_renderer_that_does_not_add_up_is_a_refusal(answer):
    with pytest.raises(DocumentRejected) as refused:
        uploads._rendered(answer)
    assert refused.value.code == "document_pdf_unrenderable"
