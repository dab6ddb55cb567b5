"""Validation speed: cpr.personnummer.is_valid against python-stdnum's dk.cpr.validate.

Both get the same 200,000 mixed inputs in the same run. Prints validation_per_s,
stdnum_per_s and validation_ratio (ours / stdnum's; the target is >= 1.0).
"""

from __future__ import annotations

import random
import sys
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from stdnum.dk import cpr as stdnum_cpr

from bench._setup import best_rate, emit
from cpr.personnummer import candidate_serials, is_valid

N = 200_000
ROUNDS = 3


def make_inputs(n: int, seed: int = 2026) -> list[str]:
    rng = random.Random(seed)
    start = date(1900, 1, 1)
    span = (date(2026, 1, 1) - start).days
    inputs = []
    for i in range(n):
        birth = start + timedelta(days=rng.randrange(span))
        prefix = birth.strftime("%d%m%y")
        kind = i % 10
        if kind < 5:  # valid, allocated style
            serials = candidate_serials(birth, rng.choice("MF"))
            value = f"{prefix}-{rng.choice(serials)}"
        elif kind == 5:  # valid without hyphen
            value = prefix + rng.choice(candidate_serials(birth, "F"))
        elif kind == 6:  # random serial, usually failing modulus 11
            value = f"{prefix}-{rng.randrange(10000):04d}"
        elif kind == 7:  # impossible date
            value = f"{rng.randrange(32, 60)}{prefix[2:]}-{rng.randrange(10000):04d}"
        elif kind == 8:  # malformed
            value = rng.choice(["", "12345", "abcdefghij", f"{prefix}--1234", f" {prefix} 12 34"])
        else:  # replacement number
            value = f"{int(prefix[:2]) + 60}{prefix[2:]}-{rng.randrange(10000):04d}"
        inputs.append(value)
    return inputs


def stdnum_is_valid(value: str) -> bool:
    try:
        stdnum_cpr.validate(value)
    except Exception:
        return False
    return True


def main() -> None:
    inputs = make_inputs(N)
    ours = best_rate(is_valid, inputs)
    theirs = best_rate(stdnum_is_valid, inputs)
    emit("validation_inputs", len(inputs))
    emit("validation_per_s", ours)
    emit("stdnum_per_s", theirs)
    emit("validation_ratio", ours / theirs)


if __name__ == "__main__":
    main()
