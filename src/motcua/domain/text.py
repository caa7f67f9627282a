"""Vietnamese text helpers: NFC for storage and display, folding for search."""

from __future__ import annotations

import unicodedata


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", " ".join(text.split()))


def fold(text: str) -> str:
    """Lower-case, strip diacritics (đ -> d), collapse spaces: ``ĐĂNG KÝ`` -> ``dang ky``.

    Works for NFC and NFD input alike, so search is diacritic-insensitive.
    """
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())


def vn_number(value: float, decimals: int = 0) -> str:
    """A number as Vietnamese officials write it: 1.019 and 97,14."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")
