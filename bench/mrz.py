"""MRZ parsing speed, and foreign ID checks, each against a baseline in the same run.

mrz: 30,000 generated valid MRZs, a third each TD1 (a fifth of them with a
long document number), TD2 and TD3, as newline-joined text. ``parse_mrz``
reads each one completely: shape, characters, every check digit, dates with
centuries, countries, names. The baseline is the least any reader must do:
split the lines and verify the same check digits (4 for TD1/TD2, 5 for TD3)
with a textbook 7-3-1 function at fixed positions. So ``mrz_ratio`` (ours /
baseline) says what the field mapping and the error reporting cost on top of
the arithmetic; there is no DESIGN target for it.

foreign_id: 20,000 checks cycling through valid numbers of every scheme
(python-stdnum's own examples) with a stated birth date and sex. The baseline
is python-stdnum's bare ``validate`` on the same numbers, so
``foreign_id_ratio`` is what the scheme lookup, birth date and sex extraction
and the warnings cost.

Prints mrz_inputs, mrz_invalid (must be 0), mrz_parse_per_s,
mrz_baseline_per_s, mrz_ratio, foreign_id_per_s, foreign_id_stdnum_per_s and
foreign_id_ratio. Needs no database.
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._setup import best_rate, emit
from documents.foreign_ids import SCHEMES, check_foreign_id
from documents.mrz import check_digit, parse_mrz

TODAY = date(2026, 11, 29)
N_MRZ = 30_000
N_FOREIGN = 20_000
ROUNDS = 3

ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
COUNTRIES = ["D<<", "POL", "ROU", "SWE", "BEL", "LTU", "ITA", "ESP", "UKR", "SYR", "GBR", "XXA"]
SURNAMES = ["KOWALSKA", "POPESCU", "ANDERSSON", "MULLER", "JANSSENS", "ROSSI", "GARCIA<LOPEZ"]
GIVEN = ["ANNA<MARIA", "ION", "SVEN", "JONAS", "LUCIA", "MARC<ANTOINE", ""]


def _cd(data: str) -> str:
    return str(check_digit(data))


def _pad(value: str, width: int) -> str:
    return (value + "<" * width)[:width]


def _name(rng: random.Random, width: int) -> str:
    given = rng.choice(GIVEN)
    return _pad(rng.choice(SURNAMES) + ("<<" + given if given else ""), width)


def make_mrz(rng: random.Random, kind: int) -> str:
    birth = (TODAY - timedelta(days=rng.randrange(18 * 365, 70 * 365))).strftime("%y%m%d")
    expiry = (TODAY + timedelta(days=rng.randrange(-3 * 365, 10 * 365))).strftime("%y%m%d")
    sex = rng.choice("MF<")
    issuing, nationality = rng.choice(COUNTRIES), rng.choice(COUNTRIES)
    dates = birth + _cd(birth) + sex + expiry + _cd(expiry)
    if kind == 0:  # TD1
        if rng.randrange(5) == 0:
            number = "".join(rng.choices(ALNUM, k=12))
            head = number[:9] + "<" + number[9:] + _cd(number) + "<"
        else:
            number = "".join(rng.choices(ALNUM, k=9))
            head = number + _cd(number)
        line1 = _pad("I<" + issuing + head + "".join(rng.choices("0123456789", k=5)), 30)
        line2 = dates + nationality + "<" * 11
        line2 += _cd(line1[5:30] + line2[0:7] + line2[8:15] + line2[18:29])
        return "\n".join((line1, line2, _name(rng, 30)))
    number = "".join(rng.choices(ALNUM, k=9))
    if kind == 1:  # TD2
        line2 = number + _cd(number) + nationality + dates + "<" * 7
        line2 += _cd(line2[0:10] + line2[13:20] + line2[21:35])
        return "\n".join(("I<" + issuing + _name(rng, 31), line2))
    personal = _pad("".join(rng.choices(ALNUM, k=rng.randrange(0, 12))), 14)
    line2 = number + _cd(number) + nationality + dates + personal + _cd(personal)
    line2 += _cd(line2[0:10] + line2[13:20] + line2[21:43])
    return "\n".join(("P<" + issuing + _name(rng, 39), line2))


def make_mrzs(n: int, seed: int = 2026) -> list[str]:
    rng = random.Random(seed)
    return [make_mrz(rng, i % 3) for i in range(n)]


_VALUES = {c: i for i, c in enumerate("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")} | {"<": 0}
_WEIGHTS = (7, 3, 1)


def _textbook_check_digit(data: str) -> int:
    return sum(_VALUES[c] * _WEIGHTS[i % 3] for i, c in enumerate(data)) % 10


def _verify(data: str, check: str) -> bool:
    return check.isdigit() and int(check) == _textbook_check_digit(data)


def baseline_verify(text: str) -> bool:
    """Split the lines and verify the check digits at their fixed positions, nothing else."""
    lines = text.split("\n")
    if len(lines) == 3:
        l1, l2, _ = lines
        return (
            _verify(l1[5:14], l1[14])
            & _verify(l2[0:6], l2[6])
            & _verify(l2[8:14], l2[14])
            & _verify(l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29], l2[29])
        )
    l1, l2 = lines
    end = len(l2) - 1
    ok = (
        _verify(l2[0:9], l2[9])
        & _verify(l2[13:19], l2[19])
        & _verify(l2[21:27], l2[27])
        & _verify(l2[0:10] + l2[13:20] + l2[21:end], l2[end])
    )
    if len(l2) == 44:
        ok &= _verify(l2[28:42], l2[42])
    return ok


# Valid numbers from python-stdnum 2.2's docstrings, one or two per scheme.
FOREIGN_IDS = [
    ("PL", "44051401359", date(1944, 5, 14), "M"),
    ("RO", "1630615123457", date(1963, 6, 15), "M"),
    ("SE", "880320-0016", date(1988, 3, 20), "M"),
    ("NO", "151086 95088", date(1986, 10, 15), "F"),
    ("FI", "131052-308T", date(1952, 10, 13), "F"),
    ("LT", "33309240064", date(1933, 9, 24), "M"),
    ("LV", "161175-19997", date(1975, 11, 16), "M"),
    ("EE", "36805280109", date(1968, 5, 28), "M"),
    ("BG", "8032056031", date(1880, 12, 5), "F"),
    ("IT", "RCCMNL83S18D969H", date(1983, 11, 18), "M"),
    ("ES", "54362315-K", date(1980, 1, 1), "F"),
    ("ES", "x-2482300w", date(1980, 1, 1), "M"),
    ("BE", "85.07.30-033 28", date(1985, 7, 30), "M"),
    ("CZ", "710319/2745", date(1971, 3, 19), "M"),
    ("SK", "8801251680", date(1988, 1, 25), "M"),
    ("HR", "HR 33392005961", date(1980, 1, 1), "F"),
    ("IS", "120174-3399", date(1974, 1, 12), "F"),
    ("NL", "1112.22.333", date(1980, 1, 1), "M"),
    ("PT", "00000000 0 ZZ4", date(1980, 1, 1), "F"),
    ("FR", "2 95 10 99 126 111 93", date(1995, 10, 1), "F"),
    ("SI", "0101006500006", date(2006, 1, 1), "M"),
]


def bench_mrz() -> None:
    inputs = make_mrzs(N_MRZ)
    invalid = sum(1 for text in inputs if not parse_mrz(text, today=TODAY).ok)
    ours = best_rate(lambda text: parse_mrz(text, today=TODAY), inputs)
    baseline = best_rate(baseline_verify, inputs)
    emit("mrz_inputs", len(inputs))
    emit("mrz_invalid", invalid)
    emit("mrz_parse_per_s", ours)
    emit("mrz_baseline_per_s", baseline)
    emit("mrz_ratio", ours / baseline)


def bench_foreign_ids() -> None:
    rows = [FOREIGN_IDS[i % len(FOREIGN_IDS)] for i in range(N_FOREIGN)]
    # The stdnum module each number belongs to (Spain: NIE for X/Y/Z, else DNI).
    stdnum_rows = [
        (SCHEMES[country][0 if value[0].isalpha() else -1].module, value)
        for country, value, _, _ in rows
    ]

    def ours() -> None:
        for country, value, birth, sex in rows:
            check_foreign_id(country, value, birth_date=birth, sex=sex, today=TODAY)

    def theirs() -> None:
        for module, value in stdnum_rows:
            module.is_valid(value)

    problems = sum(
        1
        for country, value, birth, sex in FOREIGN_IDS
        if not check_foreign_id(country, value, birth_date=birth, sex=sex, today=TODAY).ok
    )
    ours_rate = _best(ours, len(rows))
    theirs_rate = _best(theirs, len(rows))
    emit("foreign_id_invalid", problems)
    emit("foreign_id_per_s", ours_rate)
    emit("foreign_id_stdnum_per_s", theirs_rate)
    emit("foreign_id_ratio", ours_rate / theirs_rate)


def _best(run: Callable[[], None], count: int) -> float:
    best = 0.0
    for _ in range(ROUNDS):
        start = time.perf_counter()
        run()
        best = max(best, count / (time.perf_counter() - start))
    return best


def main() -> None:
    bench_mrz()
    bench_foreign_ids()


if __name__ == "__main__":
    main()
