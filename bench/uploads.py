"""What rebuilding an upload costs, against a plain decode of the same file in the same run.

photo: a 12-megapixel phone photo (4032 × 3024) of about 10 MB, made here: a
scene of light and shade with a document-like card on it, camera noise on
every pixel (which is what makes a phone's JPEG large), saved at the highest
JPEG quality that stays under the upload limit, with EXIF (camera, GPS,
orientation 6). ``rebuild_document`` decodes it, turns it upright, and writes
a new JPEG at quality 90 without the EXIF. The baseline is ``Image.open`` +
``load`` of the same bytes: the decode alone.

pdf: a 3-page scan as a scanner writes it: each page an A4 JPEG at 300 dpi in
a PDF (Pillow's PDF writer). ``rebuild_document`` starts the renderer's
process, renders the pages at 200 dpi with PDFium, stacks them and writes one
PNG. The baseline is pypdfium2 opening the same bytes in this process and
loading each page, without rendering.

``renderer_start_ms`` is what starting the renderer's process (Python with
pypdfium2 and Pillow imported) costs on its own, part of every PDF's time.

Prints photo_bytes, photo_rebuild_ms, photo_decode_ms, photo_ratio,
photo_rebuilt_bytes, pdf_bytes, pdf_rebuild_ms, pdf_open_ms, pdf_ratio,
pdf_rebuilt_bytes, renderer_start_ms (medians of ROUNDS runs). Needs no database.
"""

from __future__ import annotations

import io
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pypdfium2 as pdfium
from PIL import ExifTags, Image, ImageDraw

from bench._setup import emit
from registrations.uploads import rebuild_document

LIMIT = 10 * 1024 * 1024  # APOC_DOCUMENT_MAX_BYTES's default
ROUNDS = 5


def _scene(size: tuple[int, int], seed: int) -> Image.Image:
    """Light falling across a desk, a card on it, and sensor noise on every pixel."""
    rng = random.Random(seed)
    width, height = size
    light = Image.linear_gradient("L").rotate(rng.choice([30, 60, 120])).resize(size)
    scene = Image.merge(
        "RGB", (light, light.point(lambda v: v * 0.9), light.point(lambda v: v * 0.75))
    )
    draw = ImageDraw.Draw(scene)
    left, top = width // 5, height // 4
    draw.rounded_rectangle(
        (left, top, left + width // 2, top + height // 2), 40, fill=(214, 196, 230)
    )
    draw.rectangle(
        (left + 60, top + 80, left + 60 + width // 8, top + 80 + height // 5), fill=(120, 100, 90)
    )
    for line in range(8):
        y = top + 120 + line * 90
        draw.rectangle(
            (left + width // 5, y, left + width // 5 + rng.randint(400, 900), y + 30),
            fill=(40, 40, 60),
        )
    noise = Image.merge("RGB", [Image.effect_noise(size, 40) for _ in range(3)])
    return Image.blend(scene, noise, 0.3)


def phone_photo() -> bytes:
    scene = _scene((4032, 3024), seed=12)
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Phone"
    exif[ExifTags.Base.Model] = "12 MP camera"
    exif[ExifTags.Base.Orientation] = 6
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef], gps[ExifTags.GPS.GPSLatitude] = "N", (55.0, 40.0, 33.0)
    gps[ExifTags.GPS.GPSLongitudeRef], gps[ExifTags.GPS.GPSLongitude] = "E", (12.0, 34.0, 11.0)
    best = b""
    for quality in (98, 97, 96, 95, 94, 93, 92, 91, 90):
        buffer = io.BytesIO()
        scene.save(buffer, "JPEG", quality=quality, exif=exif)
        if buffer.tell() <= LIMIT:
            best = buffer.getvalue()
            break
    return best


def scanned_pdf(pages: int = 3) -> bytes:
    size = (2480, 3508)  # A4 at 300 dpi
    scans = [_scene(size, seed=page).convert("RGB") for page in range(pages)]
    buffer = io.BytesIO()
    scans[0].save(buffer, "PDF", resolution=300, save_all=True, append_images=scans[1:], quality=85)
    return buffer.getvalue()


def median_ms(func, data: bytes) -> tuple[float, object]:
    times, result = [], None
    for _ in range(ROUNDS):
        start = time.perf_counter()
        result = func(data)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def decode(data: bytes) -> None:
    with Image.open(io.BytesIO(data)) as image:
        image.load()


def pdf_open(data: bytes) -> None:
    pdf = pdfium.PdfDocument(data)
    for index in range(len(pdf)):
        pdf[index].close()
    pdf.close()


def renderer_start(_: bytes) -> None:
    subprocess.run([sys.executable, "-I", "-c", "import pypdfium2, PIL.Image"], check=True, env={})


def main() -> None:
    photo = phone_photo()
    emit("photo_bytes", len(photo))
    rebuild_ms, rebuilt = median_ms(lambda d: rebuild_document(d, max_bytes=LIMIT), photo)
    decode_ms, _ = median_ms(decode, photo)
    emit("photo_rebuild_ms", rebuild_ms)
    emit("photo_decode_ms", decode_ms)
    emit("photo_ratio", rebuild_ms / decode_ms)
    emit("photo_rebuilt_bytes", len(rebuilt.content))

    pdf = scanned_pdf()
    emit("pdf_bytes", len(pdf))
    rebuild_ms, rebuilt = median_ms(lambda d: rebuild_document(d, max_bytes=LIMIT), pdf)
    open_ms, _ = median_ms(pdf_open, pdf)
    emit("pdf_rebuild_ms", rebuild_ms)
    emit("pdf_open_ms", open_ms)
    emit("pdf_ratio", rebuild_ms / open_ms)
    emit("pdf_rebuilt_bytes", len(rebuilt.content))
    emit("pdf_rebuilt_pixels", f"{rebuilt.width}x{rebuilt.height}")
    start_ms, _ = median_ms(renderer_start, b"")
    emit("renderer_start_ms", start_ms)


if __name__ == "__main__":
    main()
