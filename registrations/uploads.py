"""Content disarm and reconstruction of an uploaded identity document. No Django.

What is sent is never kept. :func:`rebuild_document` decides the type by the
content, never by the name (JPEG, PNG or PDF), decodes it and returns a new
file made from its pixels alone:

- a JPEG is decoded and written again as a JPEG (quality :data:`JPEG_QUALITY`),
  a PNG as a PNG. The EXIF orientation is applied to the pixels first; then
  every piece of metadata (EXIF with GPS, XMP, IPTC, comments, text chunks,
  the colour profile, after the pixels were converted to sRGB with it) and
  anything after the image's end (an HTML page, a ZIP archive) is left behind;
- a PDF is rendered by PDFium (pypdfium2) in a child process with a memory and
  CPU limit (:mod:`registrations.pdf_render`), and its pages become one image,
  one page below the other: a JPEG when the pages draw an image (a scan or a
  photo, which PNG would store at three times the size and no better), a PNG
  when they are text and lines only (sharp, and small). No PDF is ever kept,
  so no action, script or embedded file can survive.

The limits: :data:`MAX_PIXELS` for an image and for the rendered pages
together, checked from the header before anything is decoded;
:data:`PDF_MAX_PAGES` pages; images inside a PDF of at most
:data:`MAX_PIXELS` each and :data:`PDF_DECODED_PIXELS` together. Whatever is
refused is a :class:`DocumentRejected` with its own code and a Danish message.
"""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageCms, ImageOps

from apoc.exceptions import DomainError, gettext_noop

__all__ = ["DocumentRejected", "RebuiltDocument", "rebuild_document"]

logger = logging.getLogger(__name__)

MAX_PIXELS = 40_000_000  # a 600 dpi A4 colour scan is about 35 million pixels
#: A phone photo or a scan stays a JPEG: 90 keeps the print of a document sharp
#: at about a third of the bytes of 100, and is what cameras themselves write.
JPEG_QUALITY = 90

PDF_MAX_PAGES = 10
#: Pages are rendered at 200 dpi, which shows the print and the photo of an
#: identity document as a scanner at the counter does; a page larger than A4
#: is rendered smaller, to at most :data:`PDF_PAGE_PIXELS` pixels and
#: :data:`PDF_PAGE_SIDE` pixels on its long side.
PDF_DPI = 200
PDF_PAGE_PIXELS = 4_000_000
PDF_PAGE_SIDE = 4_000
PDF_DECODED_PIXELS = 4 * MAX_PIXELS
#: What the renderer's process may use; past these it is stopped.
PDF_MEMORY_BYTES = 1536 * 1024 * 1024
PDF_CPU_SECONDS = 10
PDF_WALL_SECONDS = 15.0

RENDERER = Path(__file__).with_name("pdf_render.py")

_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"%PDF-", "application/pdf"),
)
_PILLOW_FORMATS = {"image/jpeg": ("JPEG",), "image/png": ("PNG",)}


class DocumentRejected(DomainError):
    code = "document_rejected"
    template = gettext_noop("Filen kan ikke bruges som billede af ID-dokumentet.")


#: What the renderer may answer, as (code, message).
_PDF_REFUSALS = {
    "document_pdf_unreadable": (
        "document_pdf_unreadable",
        gettext_noop(
            "PDF-filen er beskadiget og kan ikke åbnes. Scan dokumentet igen, eller tag et "
            "foto af det."
        ),
    ),
    "document_pdf_encrypted": (
        "document_pdf_encrypted",
        gettext_noop(
            "PDF-filen er beskyttet med en adgangskode. Gem den uden adgangskode, eller scan "
            "dokumentet igen."
        ),
    ),
    "document_too_many_pages": (
        "document_too_many_pages",
        gettext_noop(
            "PDF-filen har %(pages)s sider. Den må højst have %(limit)s. Vedhæft kun siderne "
            "med ID-dokumentet."
        ),
    ),
    "document_pdf_too_many_pixels": (
        "document_too_many_pixels",
        gettext_noop(
            "PDF-filen indeholder billeder i så høj opløsning, at den ikke kan åbnes sikkert. "
            "Scan dokumentet igen med højst 300 dpi."
        ),
    ),
}
_UNRENDERABLE = gettext_noop(
    "PDF-filen kunne ikke vises. Scan dokumentet igen som billede, eller tag et foto af det."
)


@dataclass(frozen=True)
class RebuiltDocument:
    """The file APOC keeps: made from the upload's pixels, nothing else of it."""

    content: bytes
    content_type: str  # "image/jpeg" or "image/png"
    extension: str  # "jpg" or "png"
    width: int
    height: int
    pages: int  # the PDF's pages stacked in the image; 1 for an image
    sent_type: str  # what was sent: "image/jpeg", "image/png" or "application/pdf"


def _reject(code: str, template: str, **params: object) -> DocumentRejected:
    return DocumentRejected(template, code=code, params=params)


def rebuild_document(data: bytes, *, max_bytes: int) -> RebuiltDocument:
    """A new JPEG or PNG made from an uploaded JPEG, PNG or PDF, or :class:`DocumentRejected`."""
    sent_type = _sent_type(data, max_bytes=max_bytes)
    if sent_type == "application/pdf":
        return _rebuild_pdf(data)
    return _rebuild_image(data, sent_type)


def _sent_type(data: bytes, *, max_bytes: int) -> str:
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
    for signature, content_type in _SIGNATURES:
        if data.startswith(signature):
            return content_type
    raise _reject(
        "document_type",
        gettext_noop(
            "Filen er hverken et JPEG- eller PNG-billede eller en PDF, uanset hvad den "
            "hedder. Tag et farvefoto eller en scanning af dokumentet."
        ),
    )


# --- Images --------------------------------------------------------------------------------


def _rebuild_image(data: bytes, sent_type: str) -> RebuiltDocument:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=_PILLOW_FORMATS[sent_type]) as image:
                _check_pixels(*image.size)
                image.load()
                clean = _pixels_only(image)
    except DocumentRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _reject(
            "document_too_many_pixels",
            gettext_noop("Billedet er for stort til at blive åbnet sikkert."),
        ) from None
    except Exception:  # every decoder error: truncated, corrupt, unsupported
        raise _reject(
            "document_damaged", gettext_noop("Billedfilen er beskadiget og kan ikke åbnes.")
        ) from None
    if sent_type == "image/jpeg":
        return _encoded(clean, "JPEG", sent_type, pages=1)
    return _encoded(clean, "PNG", sent_type, pages=1)


def _check_pixels(width: int, height: int) -> None:
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


def _pixels_only(image: Image.Image) -> Image.Image:
    """The image's pixels upright, in sRGB, in a new image that carries no metadata."""
    upright = ImageOps.exif_transpose(image)
    srgb = _to_srgb(upright, image.info.get("icc_profile"))
    plain = _plain_mode(srgb)
    clean = Image.new(plain.mode, plain.size)
    clean.paste(plain)
    return clean


def _to_srgb(image: Image.Image, icc_profile: bytes | None) -> Image.Image:
    """Convert with the image's colour profile (a phone's Display P3), then forget it."""
    if not icc_profile or image.mode not in ("RGB", "CMYK"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        return ImageCms.profileToProfile(
            image, source, ImageCms.createProfile("sRGB"), outputMode="RGB"
        )
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image  # a profile LittleCMS cannot use: the pixels as they are


def _plain_mode(image: Image.Image) -> Image.Image:
    """Black and white, grey or RGB, with transparency laid on white."""
    if image.mode in ("1", "L", "RGB"):
        return image
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "F"):  # 16-bit and float grey
        return image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    if image.mode in ("LA", "La", "PA", "RGBA", "RGBa") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        ground = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        flat = Image.alpha_composite(ground, rgba).convert("RGB")
        return flat.convert("L") if image.mode in ("LA", "La") else flat
    return image.convert("RGB")  # P, CMYK, YCbCr, LAB, HSV


def _encoded(image: Image.Image, kind: str, sent_type: str, *, pages: int) -> RebuiltDocument:
    buffer = io.BytesIO()
    if kind == "JPEG":
        if image.mode == "1":
            image = image.convert("L")
        image.save(buffer, format="JPEG", quality=JPEG_QUALITY)
        content_type, extension = "image/jpeg", "jpg"
    else:
        image.save(buffer, format="PNG")
        content_type, extension = "image/png", "png"
    return RebuiltDocument(
        content=buffer.getvalue(),
        content_type=content_type,
        extension=extension,
        width=image.width,
        height=image.height,
        pages=pages,
        sent_type=sent_type,
    )


# --- PDF -----------------------------------------------------------------------------------


def _limits() -> dict[str, int]:
    return {
        "max_pages": PDF_MAX_PAGES,
        "dpi": PDF_DPI,
        "page_pixels": PDF_PAGE_PIXELS,
        "page_side": PDF_PAGE_SIDE,
        "image_pixels": MAX_PIXELS,
        "decoded_pixels": PDF_DECODED_PIXELS,
        "max_pixels": MAX_PIXELS,
        "memory_bytes": PDF_MEMORY_BYTES,
        "cpu_seconds": PDF_CPU_SECONDS,
    }


def _rebuild_pdf(data: bytes) -> RebuiltDocument:
    try:
        finished = subprocess.run(  # noqa: S603 - our own script, the PDF on stdin
            [sys.executable, "-I", str(RENDERER), json.dumps(_limits())],
            input=data,
            capture_output=True,
            timeout=PDF_WALL_SECONDS,
            env={},
            check=False,
        )
    except subprocess.TimeoutExpired:
        logger.warning("a PDF upload was not rendered within %s s", PDF_WALL_SECONDS)
        raise _reject("document_pdf_unrenderable", _UNRENDERABLE) from None
    if finished.returncode != 0:
        logger.warning(
            "the PDF renderer stopped with %s: %s",
            finished.returncode,
            finished.stderr[-500:].decode("utf-8", "replace"),
        )
        raise _reject("document_pdf_unrenderable", _UNRENDERABLE)
    return _rendered(finished.stdout)


def _rendered(output: bytes) -> RebuiltDocument:
    """Read the renderer's answer: a refusal, or pixels that become a new PNG."""
    head, _, _ = output.partition(b"\n")
    try:
        answer = json.loads(head)
    except ValueError:
        raise _reject("document_pdf_unrenderable", _UNRENDERABLE) from None
    if "refused" in answer:
        code, template = _PDF_REFUSALS.get(
            answer["refused"], ("document_pdf_unrenderable", _UNRENDERABLE)
        )
        raise _reject(code, template, **answer.get("params", {}))
    width, height, pages = answer["width"], answer["height"], answer["pages"]
    pixels = memoryview(output)[len(head) + 1 :]
    if width * height > MAX_PIXELS or len(pixels) != width * height * 3:
        raise _reject("document_pdf_unrenderable", _UNRENDERABLE)
    image = Image.frombytes("RGB", (width, height), pixels)
    kind = "JPEG" if answer.get("images") else "PNG"
    return _encoded(image, kind, "application/pdf", pages=pages)
