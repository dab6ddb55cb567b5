"""Letter speed and size: jobnet.letters.render_letter in process. No database.

Prints:
- letter_median_ms: median time per letter, warm, over letters in Danish, English
  and one of German, Polish, Romanian and Lithuanian, with names in Latin,
  Greek and Cyrillic (target <= 20 ms);
- letter_bytes: the largest of those letters (target <= 60 KB);
- letter_first_ms: from starting a fresh Python process to its first letter's
  bytes, measured across the process boundary (target <= 1000 ms);
- oneline_median_ms: the baseline, a one-line A4 PDF made with the same library
  and font in the same run;
- letter_ratio: letter_median_ms / oneline_median_ms.
"""

from __future__ import annotations

import io
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._setup import ROOT, emit, median
from jobnet import credentials, letters
from jobnet.letters import Credentials, LetterData, render_letter

N = 300
WARM_UP = 10

NAMES = [
    "Małgorzata Wiśniewska-Łęcka",
    "Ștefan Țărănescu",
    "Γεώργιος Παπαδόπουλος",
    "Цветелина Жекова-Щерева",
    "Ġużeppi Ħabib Borġ",
    "Őrsi Kőműves",
    "Jonas Žemaitė-Ėglė",
    "Søren Æbelø Åsgård",
]
LANGUAGES = ["pl", "ro", "de", "lt"]


def letter_data(i: int) -> LetterData:
    return LetterData(
        name=NAMES[i % len(NAMES)],
        address_lines=("c/o Hansen", "Nørrebrogade 12, 3. tv.", "2200 København N"),
        personnummer="770590-1234",
        jobcentre_name="Jobcenter København",
        jobcentre_address_lines=("Kalvebod Brygge 43", "1560 København V"),
        jobcentre_phone="70 12 34 56",
        jobcentre_email="jobcenter@kk.dk",
        letter_date=date(2026, 11, 29),
        language=LANGUAGES[i % len(LANGUAGES)],
    )


def new_credentials() -> Credentials:
    return Credentials(username=credentials.new_username(), password=credentials.new_password())


def one_line_pdf() -> bytes:
    """The baseline: one line of text on an A4 page, same library, font and settings."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    canvas = Canvas(
        buffer, pagesize=A4, pageCompression=1, initialFontName=letters.REGULAR, initialFontSize=10
    )
    canvas.setFont(letters.REGULAR, 10)
    canvas.drawString(72, 720, "Jobnet: brugernavn og adgangskode")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def timed(func, rounds: int) -> tuple[list[float], list[int]]:
    times, sizes = [], []
    for i in range(rounds):
        start = time.perf_counter()
        result = func(i)
        times.append((time.perf_counter() - start) * 1000)
        sizes.append(len(result))
    return times, sizes


def first_letter_ms() -> float:
    """A fresh interpreter imports everything and makes one letter; wall time from its start."""
    started = time.time()
    result = subprocess.run(
        [sys.executable, __file__, "--first"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    done = float(result.stdout.strip().splitlines()[-1])
    return (done - started) * 1000


def main() -> None:
    if "--first" in sys.argv:
        render_letter(letter_data(0), new_credentials())
        print(time.time(), flush=True)
        return
    first = first_letter_ms()
    for i in range(WARM_UP):
        render_letter(letter_data(i), new_credentials())
        one_line_pdf()
    times, sizes = timed(lambda i: render_letter(letter_data(i), new_credentials()), N)
    baseline, baseline_sizes = timed(lambda i: one_line_pdf(), N)
    emit("letter_count", N)
    emit("letter_median_ms", median(times))
    emit("letter_bytes", max(sizes))
    emit("letter_first_ms", first)
    emit("oneline_median_ms", median(baseline))
    emit("oneline_bytes", max(baseline_sizes))
    emit("letter_ratio", median(times) / median(baseline))


if __name__ == "__main__":
    main()
