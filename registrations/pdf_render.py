"""Render an uploaded PDF's pages to pixels, in a child process with limits.

:mod:`registrations.uploads` runs this file as ``python -I pdf_render.py LIMITS``
with the PDF on standard input. It is a script on its own: the standard
library, pypdfium2 and Pillow, nothing of APOC's, since ``-I`` keeps the
project off ``sys.path``.

Before it reads a byte it caps its own address space and CPU time, so a PDF
that would make PDFium allocate or compute without end (a content stream of
millions of operators, an image that decodes to billions of pixels) ends
this process, not the web server's worker. PDFium is the build without V8 and
XFA: it has no JavaScript engine, and no form environment is made, so nothing
in the file runs.

It writes one JSON line to standard output, then, when the pages could be
rendered, their pixels: ``{"width": W, "height": H, "pages": N}`` and W × H × 3
bytes of RGB, the pages one below the other on a grey ground. A PDF it
refuses gives ``{"refused": CODE, "params": {...}}``. Anything else (a
crash, a limit reached) is a non-zero exit, which the caller reports as a PDF
that cannot be rendered.
"""

from __future__ import annotations

import json
import math
import resource
import sys

#: Grey between and beside the pages, so that page boundaries show.
GROUND = (160, 160, 160)
#: Pixels of ground between two pages.
GAP = 16


def _limit_self(memory_bytes: int, cpu_seconds: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _refuse(code: str, **params: object) -> int:
    sys.stdout.buffer.write(json.dumps({"refused": code, "params": params}).encode() + b"\n")
    return 0


def _scale(width_pt: float, height_pt: float, limits: dict) -> float:
    """Pixels per PDF unit: the render resolution, less for a page too large for it."""
    area = max(width_pt * height_pt, 1.0)
    return min(
        limits["dpi"] / 72,
        math.sqrt(limits["page_pixels"] / area),
        limits["page_side"] / max(width_pt, height_pt, 1.0),
    )


def _image_pixels(page, pdfium) -> list[int]:
    """The pixel count of each image the page draws, read from the image's header."""
    counts = []
    for image in page.get_objects(filter=(pdfium.raw.FPDF_PAGEOBJ_IMAGE,)):
        width, height = image.get_px_size()
        counts.append(width * height)
    return counts


def _open(data: bytes, pdfium):
    try:
        return pdfium.PdfDocument(data), None
    except pdfium.PdfiumError as error:
        if error.err_code == pdfium.raw.FPDF_ERR_PASSWORD:
            return None, "document_pdf_encrypted"
        return None, "document_pdf_unreadable"


def render(data: bytes, limits: dict) -> int:
    import pypdfium2 as pdfium  # after the limits are in place
    from PIL import Image

    pdf, refused = _open(data, pdfium)
    if pdf is None:
        return _refuse(refused)
    count = len(pdf)
    if count == 0:
        return _refuse("document_pdf_unreadable")
    if count > limits["max_pages"]:
        return _refuse("document_too_many_pages", pages=count, limit=limits["max_pages"])
    decoded = 0
    images = 0
    rendered = []
    for index in range(count):
        page = pdf[index]
        for pixels in _image_pixels(page, pdfium):
            images += 1
            decoded += pixels
            if pixels > limits["image_pixels"] or decoded > limits["decoded_pixels"]:
                return _refuse("document_pdf_too_many_pixels")
        width_pt, height_pt = page.get_size()
        bitmap = page.render(
            scale=_scale(width_pt, height_pt, limits),
            may_draw_forms=False,
            fill_color=(255, 255, 255, 255),
            rev_byteorder=True,
        )
        rendered.append(bitmap.to_pil().convert("RGB"))
        page.close()
    width = max(image.width for image in rendered)
    height = sum(image.height for image in rendered) + GAP * (len(rendered) - 1)
    if width * height > limits["max_pixels"]:
        return _refuse("document_pdf_too_many_pixels")
    canvas = Image.new("RGB", (width, height), GROUND)
    top = 0
    for image in rendered:
        canvas.paste(image, ((width - image.width) // 2, top))
        top += image.height + GAP
    header = {"width": width, "height": height, "pages": count, "images": images}
    sys.stdout.buffer.write(json.dumps(header).encode() + b"\n")
    sys.stdout.buffer.write(canvas.tobytes())
    return 0


def main() -> int:
    limits = json.loads(sys.argv[1])
    _limit_self(limits["memory_bytes"], limits["cpu_seconds"])
    data = sys.stdin.buffer.read()
    return render(data, limits)


if __name__ == "__main__":
    sys.exit(main())
