"""The application as uvicorn's worker processes build it (``motcua serve``): settings
from the environment (``MOTCUA_*``), the schema already migrated by the parent."""

from __future__ import annotations

from motcua.bootstrap import build
from motcua.settings import Settings
from motcua.web.app import create_app


def create():
    return create_app(build(Settings(), migrate=False))
