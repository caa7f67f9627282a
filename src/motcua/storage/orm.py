"""Imperative (classical) mapping of the domain classes onto the tables.

The domain never imports SQLAlchemy; this module teaches SQLAlchemy about the
domain instead (cosmicpython ``adapters/orm.py``). ``dossiers.version`` is the
optimistic lock: an UPDATE that finds another version raises ``StaleDataError``.
"""

from __future__ import annotations

from sqlalchemy.orm import registry, relationship

from motcua.domain.dossiers import Dossier, Step, Supplement, TimeCorrection
from motcua.storage import tables as t

mapper_registry = registry(metadata=t.metadata)
_started = False


def start_mappers() -> None:
    global _started
    if _started:
        return
    _started = True
    mapper_registry.map_imperatively(Step, t.dossier_steps)
    mapper_registry.map_imperatively(Supplement, t.dossier_supplements)
    mapper_registry.map_imperatively(TimeCorrection, t.time_corrections)
    mapper_registry.map_imperatively(
        Dossier, t.dossiers,
        version_id_col=t.dossiers.c.version,
        properties={
            "steps": relationship(Step, order_by=t.dossier_steps.c.seq, lazy="selectin",
                                  cascade="all, delete-orphan"),
            "supplements": relationship(Supplement, order_by=t.dossier_supplements.c.seq,
                                        lazy="select", cascade="all, delete-orphan"),
            "corrections": relationship(TimeCorrection, order_by=t.time_corrections.c.seq,
                                        lazy="select", cascade="all, delete-orphan"),
        },
    )
