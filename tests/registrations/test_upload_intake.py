"""Uploads are rebuilt, never kept as sent: through the intake, from the upload to the view.

The original bytes never touch the disk: not as a temporary file while the
request is read, not in the stash between the intake's steps, not in the
document folder. Refusals are messages next to the upload field (400).
"""

from __future__ import annotations

import io
import random
from datetime import date, timedelta

import pytest
from django.core.files import uploadhandler
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from cpr.models import Allocation
from registrations import uploads
from registrations.files import document_storage
from registrations.models import Registration
from tests.factories import RegistrationFactory

from . import upload_fixtures as fx
from .conftest import intake_post
from .upload_fixtures import assert_clean_jpeg, assert_clean_png, assert_no_trace_of_hostile_content

INTAKE = reverse("registrations:intake")
LIMIT = 10 * 1024 * 1024


@pytest.fixture
def stored_files():
    """The contents of the files written to a folder of the document storage during the test."""
    storage = document_storage()

    def names(folder: str) -> set[str]:
        try:
            return set(storage.listdir(folder)[1])
        except FileNotFoundError:
            return set()

    before = {folder: names(folder) for folder in ("documents", "pending")}

    def written(folder: str) -> list[bytes]:
        contents = []
        for name in sorted(names(folder) - before[folder]):
            with storage.open(f"{folder}/{name}", "rb") as handle:
                contents.append(handle.read())
        return contents

    return written


def post(client, name: str, content: bytes, **overrides):
    return client.post(
        INTAKE, intake_post(document_file=SimpleUploadedFile(name, content), **overrides)
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "stored_type"),
    [
        ("id.pdf", fx.pdf_with_escaped_javascript(), "image/png"),
        ("id.png", fx.png_with_html(), "image/png"),
        ("id.jpg", fx.jpeg_zip_polyglot(), "image/jpeg"),
        ("id.jpg", fx.jpeg_with_gps(), "image/jpeg"),
    ],
    ids=["pdf-escaped-javascript", "png-with-html", "jpeg-zip-polyglot", "jpeg-with-gps"],
)
def test_the_intake_stores_a_clean_rebuild(
    caseworker_client, stored_files, name, content, stored_type
):
    response = post(caseworker_client, name, content)
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert registration.document_content_type == stored_type
    assert registration.document_file.name.endswith(".png" if "png" in stored_type else ".jpg")
    with registration.document_file.open("rb") as handle:
        stored = handle.read()
    assert stored != content
    assert_no_trace_of_hostile_content(stored)
    assert b"GPS" not in stored and b"Phone" not in stored
    if stored_type == "image/png":
        assert_clean_png(stored)
    else:
        assert_clean_jpeg(stored)
    assert stored_files("documents") == [stored]
    assert stored_files("pending") == []
    served = caseworker_client.get(reverse("registrations:document", args=[registration.pk]))
    assert served["Content-Type"] == stored_type
    assert served["Content-Disposition"] == "inline"
    assert b"".join(served.streaming_content) == stored


@pytest.mark.django_db
def test_the_photo_is_stored_upright_without_its_position(caseworker_client):
    assert post(caseworker_client, "foto.jpg", fx.jpeg_with_gps()).status_code == 302
    with Registration.objects.get().document_file.open("rb") as handle:
        image = assert_clean_jpeg(handle.read())
    assert image.size == (40, 60)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "code", "words"),
    [
        ("id.pdf", fx.pdf_with_pages(500), "document_too_many_pages", "500 sider"),
        ("id.png", fx.png_pixel_bomb(), "document_too_many_pixels", "8000 × 6000"),
        ("id.pdf", fx.pdf_image_bomb(), "document_too_many_pixels", "opløsning"),
        ("id.pdf", b"%PDF-1.7\n" + b"\x00" * 1000, "document_pdf_unreadable", "beskadiget"),
    ],
    ids=["pdf-500-pages", "png-pixel-bomb", "pdf-image-bomb", "pdf-damaged"],
)
def test_refused_uploads_are_shown_next_to_the_field_and_nothing_is_kept(
    caseworker_client, stored_files, name, content, code, words
):
    response = post(caseworker_client, name, content)
    assert response.status_code == 400
    errors = response.context["form"].errors.as_data()["document_file"]
    assert [error.code for error in errors] == [code]
    assert words in errors[0].messages[0]
    assert words in response.content.decode()
    assert not Allocation.objects.exists()
    assert stored_files("documents") == []
    assert stored_files("pending") == []


@pytest.mark.django_db
def test_a_renderer_that_fails_is_a_message_next_to_the_field_not_a_500(
    caseworker_client, stored_files, monkeypatch
):
    monkeypatch.setattr(uploads, "PDF_MEMORY_BYTES", 16 * 1024 * 1024)
    response = post(caseworker_client, "id.pdf", fx.pdf_with_pages(1))
    assert response.status_code == 400
    errors = response.context["form"].errors.as_data()["document_file"]
    assert [error.code for error in errors] == ["document_pdf_unrenderable"]
    assert stored_files("documents") == [] and stored_files("pending") == []


@pytest.mark.django_db
def test_between_the_steps_only_the_rebuild_waits(caseworker_client, stored_files):
    """A warning to confirm keeps the upload for the next step: the rebuilt one."""
    entry = (date.today() - timedelta(days=250)).isoformat()
    data = intake_post(
        entry_date=entry, document_file=SimpleUploadedFile("id.png", fx.png_with_html())
    )
    first = caseworker_client.post(INTAKE, data)
    assert first.status_code == 422
    [waiting] = stored_files("pending")
    assert_no_trace_of_hostile_content(waiting)
    assert_clean_png(waiting)
    data.pop("document_file")
    data["confirm_warnings"] = [
        code for code, _ in first.context["form"].fields["confirm_warnings"].choices
    ]
    assert caseworker_client.post(INTAKE, data).status_code == 302
    with Registration.objects.get().document_file.open("rb") as handle:
        assert handle.read() == waiting
    assert stored_files("pending") == []


@pytest.mark.django_db
def test_a_file_left_waiting_by_an_older_version_is_not_taken_up(caseworker_client, caseworker):
    data = intake_post()
    data.pop("document_file")
    storage = document_storage()
    token = data["submission_token"].replace("-", "")
    storage.save(f"pending/{caseworker.pk}-{token}.png", io.BytesIO(fx.png_with_html()))
    response = caseworker_client.post(INTAKE, data)
    assert response.status_code == 400
    assert response.context["form"].errors["document_file"]
    assert not Registration.objects.exists()


@pytest.mark.django_db
def test_an_upload_is_never_written_to_a_temporary_file(caseworker_client, monkeypatch):
    """Django writes uploads over 2.5 MB to a temporary file unless told otherwise."""
    written = []

    class Recorded(uploadhandler.TemporaryUploadedFile):
        def __init__(self, *args, **kwargs):
            written.append(args)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(uploadhandler, "TemporaryUploadedFile", Recorded)
    photo = noisy_jpeg(1800, 1400)
    assert 2_621_440 < len(photo) < LIMIT
    response = post(caseworker_client, "foto.jpg", photo)
    assert response.status_code == 302
    assert written == []
    with Registration.objects.get().document_file.open("rb") as handle:
        assert_clean_jpeg(handle.read())


@pytest.mark.django_db
def test_two_files_in_one_request_are_refused(caseworker_client):
    data = intake_post()
    data["other"] = SimpleUploadedFile("other.png", fx.png_with_html())
    response = caseworker_client.post(INTAKE, data)
    assert response.status_code == 400
    assert not Registration.objects.exists()


@pytest.mark.django_db
def test_a_pdf_kept_as_sent_before_rebuilding_is_only_ever_downloaded(
    caseworker_client, caseworker
):
    """Registrations made before uploads were rebuilt may still refer to a PDF."""
    registration = RegistrationFactory(
        jobcentre=caseworker.jobcentre,
        document_file__filename="dokument.pdf",
        document_file__data=fx.pdf_with_escaped_javascript(),
        document_content_type="application/pdf",
    )
    response = caseworker_client.get(reverse("registrations:document", args=[registration.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == "attachment"
    assert response["Content-Security-Policy"].startswith("sandbox")


def noisy_jpeg(width: int, height: int) -> bytes:
    rng = random.Random(7)
    image = Image.frombytes("RGB", (width, height), rng.randbytes(width * height * 3))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=95)
    return buffer.getvalue()
