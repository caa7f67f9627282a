"""From typed-in fields (a form, a JSON body) to a dossier command and the one use case.

The forms on the dossier page, the API's body models and this parser all come
from the command's fields (``domain.commands``); nothing here names an action.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, create_model
from starlette.datastructures import UploadFile

from motcua.domain import commands
from motcua.domain.commands import Input
from motcua.domain.documents import Upload
from motcua.domain.errors import ValidationError
from motcua.domain.lifecycle import TRANSITIONS, Transition, transition_for
from motcua.domain.units import Official
from motcua.services import dossiers as uc

OFFICIAL_ACTIONS: tuple[Transition, ...] = tuple(t for t in TRANSITIONS
                                                 if t.by_official and t.command)


def perform(ctx, code: str, action: str, official: Official, payload: dict,
            uploads: list[Upload] | None = None) -> dict:
    """Run ``action`` on dossier ``code`` for ``official`` with form or JSON fields."""
    command = commands.parse(action, {**payload, "files": uploads or ()}, seen_step=True)
    if not transition_for(command.action).by_official:
        raise ValidationError(f"Thao tác “{action}” không thực hiện qua giao diện này.")
    return uc.act(ctx, code, command, official)


def form_fields(action: str) -> list[str]:
    """Names of the form fields a command reads (files come as ``files``)."""
    return [f.name for f in commands.fields(commands.command_class(action))
            if f.metadata["kind"] is not Input.FILES]


_JSON_TYPES = {Input.TEXT: (str, ""), Input.LINES: (list[str], None),
               Input.INSTANT: (str, ""), Input.CHOICE: (str, None),
               Input.INTEGER: (int | None, None), Input.OFFICIAL: (int | None, None),
               Input.CORRECTION: (int | None, None), Input.STEP: (int | None, None)}


def body_model(transition: Transition) -> type[BaseModel]:
    """The JSON body of one action, from its command's fields (files go to /attachments).

    Every field may be left out here; the command's parser says in Vietnamese
    which one is missing or wrong.
    """
    fields: dict[str, Any] = {}
    for f in commands.fields(transition.command):
        kind = f.metadata["kind"]
        if kind is Input.FILES:
            continue
        typ, default = _JSON_TYPES[kind]
        if kind is Input.CHOICE:
            default = f.default
        description = f.metadata["label"]
        if f.metadata["choices"]:
            description += ": " + ", ".join(k for k, _ in f.metadata["choices"])
        if kind is Input.LINES:
            fields[f.name] = (typ, Field(default_factory=list, description=description))
        elif typ is str:
            fields[f.name] = (typ, Field(default, description=description,
                                         max_length=commands.TEXT_LIMIT))
        else:
            fields[f.name] = (typ, Field(default, description=description))
    name = "".join(p.title() for p in transition.action.value.split("_")) + "In"
    return create_model(name, **fields)


def read_uploads(files: list[UploadFile] | None, names: list[str] | None,
                 max_bytes: int) -> list[Upload]:
    """Uploads with the document each stands for; reads at most ``max_bytes`` + 1 of each."""
    out = []
    for i, f in enumerate(files or []):
        if f is None or not getattr(f, "filename", None):
            continue
        data = f.file.read(max_bytes + 1)
        name = (names[i] if names and i < len(names) else "") or f.filename
        out.append(Upload(name, f.filename, data, f.size))
    return out
