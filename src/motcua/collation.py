"""Vietnamese collation for every list of names a person reads (ICU's "vi" rules, through
PyICU): "An" < "Ăn" < "Âm" < "Bản" … "Dân" < "Đa", tones ordered after the letters,
case ignored first. Python's own ``sorted`` puts "Đăng ký…" after "Xác nhận…".

A Collator is safe to share between threads for comparisons (its settings never change
after it is made here).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

import icu

T = TypeVar("T")

_COLLATOR = icu.Collator.createInstance(icu.Locale("vi_VN"))


def vi_key(text: str) -> bytes:
    """The sort key of ``text`` in Vietnamese order."""
    return _COLLATOR.getSortKey(text or "")


def vi_sorted(items: Iterable[T], key: Callable[[T], str] = str) -> list[T]:
    """``items`` in Vietnamese alphabetical order of ``key(item)``."""
    return sorted(items, key=lambda item: vi_key(key(item)))
