"""The hasher for Jobnet one-time passwords.

Staff passwords are chosen by people and need Django's default PBKDF2 work
factor (about 335 ms per hash here). A Jobnet one-time password is 16 letters
drawn with ``secrets`` from a 26-letter alphabet, about 75 bits: guessing it
offline is out of reach even for a fast hash, so a lighter work factor keeps
printing a letter quick (the hash was half the CPU of a whole intake) without
weakening it.
"""

from django.contrib.auth.hashers import PBKDF2PasswordHasher


class OneTimePasswordHasher(PBKDF2PasswordHasher):
    algorithm = "pbkdf2_sha256_otp"
    iterations = 20_000
