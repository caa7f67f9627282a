"""Typed results as JSON at the edges (the API, the command line, replay): dataclasses
become objects, instants ISO 8601 in Vietnam time (``+07:00``), dates ISO 8601, enums
their values. The use cases themselves return typed data (``services.views``)."""

from __future__ import annotations

import dataclasses
import enum
from datetime import date, datetime
from typing import Any

from motcua.domain.calendar import VN_TZ


def to_json(value: Any) -> Any:
    """``value`` with every part JSON can carry as it is, the rest converted."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        return value.astimezone(VN_TZ).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    return value
