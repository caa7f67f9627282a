"""Read-side lists the pages and the API show: the catalogue, where to file, who may be
assigned, corrections waiting, the unit tree, and which units a leader may look at.

Views call these and render; none of them opens a database connection itself.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from datetime import time as dtime
from importlib import resources
from pathlib import Path

from motcua.collation import vi_sorted
from motcua.domain.calendar import CountingMode, Deadline, DeadlineUnit
from motcua.domain.errors import PermissionDenied
from motcua.domain.procedures import Channel, Procedure
from motcua.domain.text import fold, search_words
from motcua.domain.units import Official, Role, Unit
from motcua.services import cache
from motcua.storage import queries

LEADERS = (Role.HEAD, Role.SIGNER, Role.ADMIN)


def describe_deadline(row) -> str:
    """A catalogue row's deadline as an official writes it ("0,5 ngày làm việc")."""
    return Deadline(row.deadline_amount, DeadlineUnit(row.deadline_unit),
                    CountingMode(row.deadline_mode),
                    dtime.fromisoformat(row.cutoff) if row.cutoff else None).describe()


CATALOGUE_TTL_S = 60  # a procedure saved by another server process shows within a minute
CATALOGUE_PAGE = 100
# words people type around what they look for ("làm giấy … cho con"): dropped when the
# whole query finds nothing
STOP_WORDS = frozenset(fold(w) for w in (
    "cho", "con", "của", "tôi", "em", "làm", "xin", "thủ", "tục", "cách", "như", "thế",
    "nào", "ở", "đâu", "muốn", "cần", "gì", "và", "về", "việc", "bị", "mới"))


@dataclass(frozen=True)
class CatalogueSearch:
    rows: list
    total: int
    corrected: str = ""  # the query as it was understood, when it had to be mended


def _kept(ctx, key: tuple, make):
    """``make()``, kept ``CATALOGUE_TTL_S`` in this process under ``key`` (the catalogue's
    cache, which ``save_procedures`` clears)."""
    return cache.kept(ctx, key, make, CATALOGUE_TTL_S)


def synonyms(ctx) -> list[tuple[str, str]]:
    """(folded phrase, folded words of the catalogue), longest phrase first: the shipped
    list, then the administrator's ``tu-dong-nghia.json`` in the data folder over it."""
    def read() -> list[tuple[str, str]]:
        found = json.loads(resources.files("motcua.data").joinpath(
            "search_synonyms_vi.json").read_text("utf-8"))
        own = Path(ctx.settings.data_dir) / "tu-dong-nghia.json"
        if own.exists():
            found.update(json.loads(own.read_text("utf-8")))
        pairs = {fold(k): fold(v) for k, v in found.items() if not k.startswith("_")}
        return sorted(pairs.items(), key=lambda kv: -len(kv[0]))
    return _kept(ctx, ("synonyms",), read)


def _expanded(ctx, q: str) -> str:
    text = f" {fold(q)} "
    for phrase, replacement in synonyms(ctx):
        text = text.replace(f" {phrase} ", f" {replacement} ")
    return text.strip()


LEVELS = {"commune": "Cấp xã", "province": "Cấp tỉnh", "central": "Cấp trung ương"}


def catalogue_fields(ctx) -> list[str]:
    """The fields of the procedures in force, in Vietnamese order (the catalogue filter)."""
    return _kept(ctx, ("fields", ctx.settings.province_code), lambda: vi_sorted(
        {p.field for p in current_procedures(ctx) if p.field}))


# where a procedure names no agency, the body of its level settles it
LEVEL_AGENCIES = {"commune": ("cap-xa", "UBND cấp xã"), "province": ("cap-tinh", "Cơ quan cấp tỉnh")}
# the national catalogue's "mức độ" of an online public service, as a filter
ONLINE_LEVELS = {"toan-trinh": "toàn trình", "mot-phan": "một phần"}


def agency_of(row) -> str:
    """The filter value of the agency that settles a procedure: its unit's code, else
    its level's People's Committee."""
    return row.unit_code or LEVEL_AGENCIES.get(row.level, LEVEL_AGENCIES["province"])[0]


def catalogue_agencies(ctx) -> list[tuple[str, str]]:
    """(value, name) of each agency settling procedures in force, in Vietnamese order
    (the catalogue's agency filter; names, never codes)."""
    def make():
        rows = queries.search_procedures(ctx.engine, ctx.settings.province_code, [])
        names = unit_names(ctx, (r.unit_code for r in rows))
        names.update(dict(LEVEL_AGENCIES.values()))
        return vi_sorted({(agency_of(r), names[agency_of(r)]) for r in rows},
                         key=lambda pair: pair[1])
    return _kept(ctx, ("agencies", ctx.settings.province_code), make)


def catalogue_online_levels(ctx) -> list[tuple[str, str]]:
    """The online service levels the catalogue records (none until the national catalogue,
    or the province's own file, says so: nothing is guessed)."""
    def make():
        rows = queries.search_procedures(ctx.engine, ctx.settings.province_code, [])
        present = {fold(r.online_level) for r in rows if r.online_level}
        return [(value, label) for value, label in ONLINE_LEVELS.items()
                if fold(label) in present]
    return _kept(ctx, ("online levels", ctx.settings.province_code), make)


def search_procedures(ctx, q: str = "", *, level: str = "", field: str = "",
                      agency: str = "", online: str = "") -> CatalogueSearch:
    """Procedures in force, in Vietnamese alphabetical order: diacritic-, case- and
    NFD-insensitive, with common words and abbreviations understood ("CCCD", "sổ đỏ"),
    the words around a request dropped ("khai sinh cho con") and typos mended
    ("khai sinhh") when the query as typed finds nothing.

    The public catalogue is read far more than it changes: a search is kept
    ``CATALOGUE_TTL_S`` in this process (``save_procedures`` clears it at once)."""
    return _kept(ctx, _search_key(ctx, q, level, field, agency, online),
                 lambda: _search(ctx, q, level, field, agency, online))


def kept_search(ctx, q: str = "", *, level: str = "", field: str = "", agency: str = "",
                online: str = "") -> CatalogueSearch | None:
    """``search_procedures`` if this process keeps its answer, else ``None``: reads
    nothing, so a page served on the event loop can ask first."""
    return cache.peek(ctx, _search_key(ctx, q, level, field, agency, online), CATALOGUE_TTL_S)


def _search_key(ctx, q: str, level: str, field: str, agency: str, online: str) -> tuple:
    return ("search", ctx.settings.province_code, tuple(search_words(q)), level, field, agency,
            online)


def _search(ctx, q: str, level: str = "", field: str = "", agency: str = "",
            online: str = "") -> CatalogueSearch:
    province = ctx.settings.province_code
    typed = search_words(q)
    words = search_words(_expanded(ctx, q))
    rows = queries.search_procedures(ctx.engine, province, words)
    understood = words
    if not rows and words:
        content = [w for w in words if w not in STOP_WORDS] or words
        vocabulary = _kept(ctx, ("words", province),
                           lambda: queries.catalogue_words(ctx.engine, province))
        mended = [w if w in vocabulary else
                  next(iter(difflib.get_close_matches(w, vocabulary, n=1, cutoff=0.75)), w)
                  for w in content]
        rows = queries.search_procedures(ctx.engine, province, mended)
        understood = mended
    if level in LEVELS:
        rows = [r for r in rows if r.level == level]
    if field:
        rows = [r for r in rows if r.field == field]
    if agency:
        rows = [r for r in rows if agency_of(r) == agency]
    if online:
        wanted = fold(ONLINE_LEVELS.get(online, online))
        rows = [r for r in rows if fold(r.online_level) == wanted]
    ordered = vi_sorted(rows, key=lambda r: r.name)
    corrected = " ".join(understood) if rows and understood != typed else ""
    return CatalogueSearch(ordered[:CATALOGUE_PAGE], len(ordered), corrected)


def procedure(ctx, code: str) -> Procedure:
    with ctx.uow() as uow:
        return uow.procedures.current(code, ctx.settings.province_code)


def current_procedures(ctx) -> list[Procedure]:
    with ctx.uow() as uow:
        return uow.procedures.all_current(ctx.settings.province_code)


def online_procedure(ctx, code: str) -> Procedure:
    """The procedure, if citizens may file it online; a Vietnamese refusal otherwise."""
    found = procedure(ctx, code)
    if Channel.ONLINE not in found.channels:
        raise PermissionDenied(f"Thủ tục {found.name} chưa nhận hồ sơ trực tuyến; "
                               "vui lòng nộp tại bộ phận một cửa.")
    return found


def desk_units(ctx, for_procedure: Procedure | None = None) -> list:
    """Units where a citizen can file (a desk officer works there), for a procedure."""
    units = queries.desk_units(ctx.engine, ctx.settings.province_code)
    if for_procedure is not None:
        units = [u for u in units if for_procedure.filed_at(u.code, u.kind)]
    return vi_sorted(units, key=lambda u: u.name)


def communes(ctx) -> list[tuple[str, str]]:
    """(code, name) of the province's communes and wards in the national division list,
    where a result can be sent by post (names in Vietnamese order)."""
    def make():
        from vietnam_provinces import ProvinceCode, Ward

        wards = Ward.iter_by_province(ProvinceCode(ctx.settings.province_code))
        return vi_sorted(((f"{int(w.code):05d}", " ".join(w.name.split())) for w in wards),
                         key=lambda c: c[1])
    return _kept(ctx, ("communes",), make)


def unit_names(ctx, codes) -> dict[str, str]:
    """Code → name of the units ``codes`` names, for pages that show a unit (people read
    names, not codes)."""
    with ctx.uow() as uow:
        return {code: uow.units.by_code(code).name for code in set(codes) if code}


def units_of(ctx, official: Official, *roles: Role) -> list[Unit]:
    """The units where the official holds one of ``roles`` (any role if none given)."""
    ids = official.units_with(*roles) if roles else {u for u, _ in official.roles}
    with ctx.uow() as uow:
        return vi_sorted((uow.units.by_id(u) for u in ids), key=lambda u: u.name)


def assignable(ctx, unit_code: str | None) -> list:
    """Officials of the unit holding a step, to whom a head may assign it."""
    if not unit_code:
        return []
    with ctx.uow() as uow:
        unit = uow.units.by_code(unit_code)
    # Vietnamese lists of people go by the given name (the last word), then the rest
    return vi_sorted(queries.officials_of(ctx.engine, unit.id),
                     key=lambda o: f"{o.full_name.split()[-1] if o.full_name else ''} "
                                   f"{o.full_name}")


def pending_corrections(ctx, official: Official) -> list:
    """Time corrections waiting for this head's or signer's decision."""
    units = official.units_with(Role.HEAD, Role.SIGNER)
    return queries.pending_corrections(ctx.engine, units) if units else []


def unit_tree(ctx) -> list[dict]:
    with ctx.uow() as uow:
        rows = uow.units.all(ctx.settings.province_code)
    code_of = {u.id: u.code for u in rows}
    return [{"code": u.code, "name": u.name, "kind": u.kind.value,
             "parent": code_of.get(u.parent_id), "valid_to": u.valid_to,
             "successor": code_of.get(u.successor_id), "agency_code": u.agency_code}
            for u in rows]


def scope_choices(ctx, official: Official) -> list[tuple[str, str]]:
    """(code, name) of the units a leader may pick on the dashboard, by name in Vietnamese
    order: the whole province ("") and any unit for an administrator, else their own."""
    admin = bool(official.units_with(Role.ADMIN))
    with ctx.uow() as uow:
        if admin:
            units = uow.units.all(ctx.settings.province_code)
        else:
            units = [uow.units.by_id(u) for u in official.units_with(*LEADERS)]
    named = vi_sorted(((u.code, u.name) for u in units), key=lambda c: c[1])
    return [("", "Toàn tỉnh"), *named] if admin else named


def leader_scope(ctx, official: Official, requested: str = "") -> tuple[str | None, list[str]]:
    """(the unit whose figures a leader sees, None for the whole province; the units they
    may pick). Administrators see the province and any unit; heads and signers their own."""
    if not official.units_with(*LEADERS):
        raise PermissionDenied("Trang điều hành dành cho lãnh đạo và quản trị hệ thống.")
    with ctx.uow() as uow:
        allowed = sorted({uow.units.code_of(u) for u in official.units_with(*LEADERS)})
    admin = bool(official.units_with(Role.ADMIN))
    if requested:
        if not admin and requested not in allowed:
            raise PermissionDenied("Chỉ xem được số liệu của đơn vị mình.")
        return requested, allowed
    return (None if admin else allowed[0]), allowed
