"""Demo data for Đắk Lắk (province 66): real units and procedures, officials for every
role, and a few hundred dossiers in every state, made through the real use cases
with the clock moved back over the past months. Every figure shown is computed.
"""

from __future__ import annotations

import functools
import json
import random
from datetime import datetime, timedelta
from importlib import resources

from motcua.domain.calendar import VN_TZ
from motcua.domain.clock import FixedClock
from motcua.domain.commands import (
    Attach,
    CompleteStep,
    Extend,
    Rate,
    Refuse,
    RequestCorrection,
    RequestSupplement,
    ReturnResult,
    Stop,
    Supplement,
    Withdraw,
)
from motcua.domain.documents import Upload
from motcua.domain.errors import MotcuaError
from motcua.domain.lifecycle import APPLICANT
from motcua.domain.procedures import fee_amount_of
from motcua.services import dossiers as uc
from motcua.services.notifications import cancel_queued
from motcua.services.officials import create_official
from motcua.services.procedures import procedure_from_dict, save_procedures
from motcua.services.units import create_unit, import_province

DEMO_PASSWORD = "motcua-demo"
COMMUNES = ["24133", "24175", "24163"]  # Phường Buôn Ma Thuột, Xã Hòa Phú, Phường Tân An
DEPARTMENTS = [("SO-TP", "Sở Tư pháp"), ("SO-XD", "Sở Xây dựng"),
               ("SO-NNMT", "Sở Nông nghiệp và Môi trường"), ("CA-TINH", "Công an tỉnh")]
FIELD_DEPARTMENT = {"Xây dựng": "SO-XD", "Quy hoạch": "SO-XD", "Đất đai": "SO-NNMT",
                    "Đăng ký biện pháp bảo đảm": "SO-NNMT", "Lý lịch tư pháp": "SO-TP"}
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng"]
GIVEN_MALE = ["Văn An", "Quốc Huy", "Đức Long", "Thanh Nam", "Minh Tuấn"]
GIVEN_FEMALE = ["Thị Bình", "Thị Dung", "Thị Lan", "Ngọc Mai", "Thị Hoa"]
GIVEN = GIVEN_MALE + GIVEN_FEMALE  # officials' names
# Ê Đê names: "Y" before a man's name, "H'" joined to a woman's, the clan (họ) last
EDE_CLANS = ["Niê", "Mlô", "Êban", "Ktla", "Hđơk", "Ênuôl", "Adrơng"]
EDE_MALE = ["Blô", "Khăm", "Jôn", "Yơn", "Thuôn"]
EDE_FEMALE = ["Hen", "Linh", "Brơm", "Nga", "Dơk"]


def _department(field: str, competent: str) -> str:
    """The department a provincial procedure goes to: the competent body the procedure's
    own record names (police for driving licences and judicial records since 2025),
    else by field."""
    for words, dept in (("Công an", "CA-TINH"), ("Sở Xây dựng", "SO-XD"),
                        ("Văn phòng đăng ký đất đai", "SO-NNMT"), ("Sở Tư pháp", "SO-TP")):
        if words in competent:
            return dept
    return next((d for f, d in FIELD_DEPARTMENT.items() if f.lower() in field.lower()),
                "SO-TP")


def _steps(level: str, field: str, commune_code: str,
           competent: str = "") -> tuple[list[dict], str]:
    if level == "province":
        dept = _department(field, competent)
        head = "Lãnh đạo Công an tỉnh ký duyệt" if dept == "CA-TINH" else "Lãnh đạo Sở ký duyệt"
        return ([{"name": "Tiếp nhận, kiểm tra hồ sơ", "role": "desk", "share": 0.1},
                 {"name": "Thẩm định hồ sơ", "unit": dept, "role": "specialist", "share": 0.5},
                 {"name": "Lãnh đạo phòng xem xét", "unit": dept, "role": "head", "share": 0.2},
                 {"name": head, "unit": dept, "role": "signer", "share": 0.2}],
                "TTPVHCC")
    if competent.startswith("Công an cấp xã"):  # residence, ID cards: the commune police
        return ([{"name": "Tiếp nhận, kiểm tra hồ sơ", "role": "desk", "share": 0.1},
                 {"name": "Công an cấp xã xác minh, giải quyết", "role": "specialist",
                  "share": 0.6},
                 {"name": "Trưởng Công an cấp xã ký", "role": "signer", "share": 0.3}],
                commune_code)
    # "cấp xã" covers communes and wards alike (a ward's leader is not "UBND xã")
    return ([{"name": "Tiếp nhận, kiểm tra hồ sơ", "role": "desk", "share": 0.1},
             {"name": "Công chức chuyên môn thẩm định", "role": "specialist", "share": 0.5},
             {"name": "Lãnh đạo UBND cấp xã ký", "role": "signer", "share": 0.4}], commune_code)


def demo_procedures() -> list[dict]:
    """Procedures from shared facts that state a numeric deadline, with a step plan."""
    text = resources.files("motcua.data").joinpath("procedures_vn.json").read_text("utf-8")
    out = []
    for p in json.loads(text)["procedures"]:
        d = p["deadline"]
        if d.get("working_days"):
            deadline = {"working_days": d["working_days"]}
        elif d.get("calendar_days"):
            deadline = {"calendar_days": d["calendar_days"]}
        elif d.get("same_day"):
            deadline = {"working_days": 0}
        else:
            continue
        if d.get("cutoff"):
            deadline["cutoff"] = d["cutoff"]
        competent = p.get("competent_unit") or ""
        plan, unit = _steps(p["level"], p.get("field", ""), "",
                            competent if isinstance(competent, str) else "; ".join(competent))
        days = deadline.get("working_days", (deadline.get("calendar_days", 0) * 5) // 7) or 1
        steps = [{"name": s["name"], "unit": s.get("unit", ""), "role": s["role"],
                  "working_hours": round(days * 8 * s["share"] * 0.9, 2)} for s in plan]
        out.append({"code": p["code"], "name": p["name"], "field": p.get("field", ""),
                    "level": p["level"], "unit": unit, "deadline": deadline,
                    "fee": p.get("fee", ""), "fee_amount": fee_amount_of(p.get("fee", "")), "documents": p.get("documents", []),
                    "result_type": p.get("result", ""), "channels": p.get("channels") or ["desk"],
                    "legal_basis": p.get("legal_basis", []), "steps": steps,
                    # a province says which results it returns electronically; the demo
                    # offers it for the two whose results are issued electronically today
                    "electronic_result": p["code"] in ELECTRONIC_RESULTS})
    return out


ELECTRONIC_RESULTS = frozenset({"2.000635", "3.000333"})  # civil-status copies, judicial records


def load_demo(ctx, dossiers: int = 300, seed: int = 66, progress=None) -> list[tuple[str, str, str]]:
    """Fill an empty database; return (username, password, role description) logins."""
    rng = random.Random(seed)
    real_clock = ctx.clock
    now = real_clock.now()
    clock = FixedClock(now - timedelta(days=150))
    ctx.clock = clock
    try:
        procedures, logins = setup(ctx)
        codes = _dossiers(ctx, clock, now, procedures, dossiers, rng, progress)
        clock.set(now - timedelta(minutes=5))
        _corrections(ctx, codes[-60:])
        _waiting_filings(ctx, clock, now, procedures, rng)
        _staffing(ctx, now.year, rng)
    finally:
        ctx.clock = real_clock
    # the made-up history's messages stay on record, marked, and are never sent
    cancel_queued(ctx, "Hồ sơ mẫu tạo khi cài bản demo: thông báo không gửi.")
    return logins


def _staffing(ctx, year: int, rng: random.Random) -> None:
    """Positions approved and officials in post for the units that received dossiers (made
    up for the demo, as the whole demo is; a province imports its own on /cchc), so the
    staffing and late-risk page has something to show."""
    import sqlalchemy as sa

    from motcua.services.cchc import import_file

    with ctx.engine.connect() as conn:
        units = conn.execute(sa.text(
            "SELECT DISTINCT u.code, u.kind FROM units u JOIN dossiers d ON d.unit_id = u.id "
            "ORDER BY u.code")).all()
    lines = ["year,unit,level,positions,filled"]
    for code, kind in units:
        level = {"commune": "xã", "ward": "xã", "department": "sở"}.get(kind, "tỉnh")
        positions = 12 if level == "xã" else 30
        lines.append(f"{year},{code},{level},{positions},{positions - rng.randint(0, 4)}")
    import_file(ctx, "bien-che.csv", "\n".join(lines).encode())


def setup(ctx) -> tuple[list[dict], list[tuple[str, str, str]]]:
    """Đắk Lắk's units, the service centre, four departments, the procedures and officials."""
    import_province(ctx, 66)
    create_unit(ctx, code="TTPVHCC", name="Trung tâm Phục vụ hành chính công tỉnh Đắk Lắk",
                kind="service_centre", parent_code="P66", place_name="Buôn Ma Thuột")
    for code, name in DEPARTMENTS:
        create_unit(ctx, code=code, name=name, kind="department", parent_code="P66",
                    place_name="Buôn Ma Thuột")
    procedures = demo_procedures()
    save_procedures(ctx, [procedure_from_dict(p) for p in procedures])
    return procedures, _officials(ctx)


def _officials(ctx) -> list[tuple[str, str, str]]:
    people = [("admin", "Quản Trị Viên", [("P66", "admin")], "Quản trị hệ thống"),
              ("ttpvhcc.tiepnhan", "Đỗ Thị Tiếp Nhận", [("TTPVHCC", "desk")],
               "Cán bộ tiếp nhận, Trung tâm PVHCC tỉnh")]
    for code, name in DEPARTMENTS:
        slug = code.lower().replace("-", "")
        people += [(f"{slug}.chuyenvien", f"Chuyên viên {name}", [(code, "specialist")],
                    f"Chuyên viên, {name}"),
                   (f"{slug}.truongphong", f"Trưởng phòng {name}", [(code, "head")],
                    f"Lãnh đạo phòng, {name}"),
                   (f"{slug}.lanhdao", f"Lãnh đạo {name}", [(code, "signer")],
                    f"Lãnh đạo ký duyệt, {name}")]
    for code in COMMUNES:
        people += [(f"x{code}.tiepnhan", f"Tiếp nhận {code}", [(code, "desk")],
                    f"Cán bộ một cửa, đơn vị {code}"),
                   (f"x{code}.congchuc", f"Công chức {code}", [(code, "specialist")],
                    f"Công chức chuyên môn, đơn vị {code}"),
                   (f"x{code}.chutich", f"Chủ tịch {code}", [(code, "signer"), (code, "head")],
                    f"Lãnh đạo UBND, đơn vị {code}")]
    names, used = random.Random(766), set()
    for username, _role_name, roles, _label in people:
        # demo people get ordinary (distinct) Vietnamese names; their role is in the login list
        full_name = ""
        while not full_name or full_name in used:
            full_name = f"{names.choice(SURNAMES[:10])} {names.choice(GIVEN[:10])}"
        used.add(full_name)
        create_official(ctx, username=username, full_name=full_name, password=DEMO_PASSWORD,
                        roles=roles, email=f"{username}@{DEMO_MAIL_DOMAIN}")
    return [(u, DEMO_PASSWORD, label) for u, _, _, label in people]


def _person_name(rng: random.Random, female: bool) -> str:
    """A name whose form agrees with the sex the ID number records."""
    if rng.random() < 0.25:
        clan = rng.choice(EDE_CLANS)
        return (f"H'{rng.choice(EDE_FEMALE)} {clan}" if female
                else f"Y {rng.choice(EDE_MALE)} {clan}")
    return f"{rng.choice(SURNAMES)} {rng.choice(GIVEN_FEMALE if female else GIVEN_MALE)}"


def _applicant(rng: random.Random) -> dict:
    year = rng.randint(1950, 2006)
    century = 0 if year < 2000 else 2
    female = rng.random() < 0.5
    number = f"066{century + female}{year % 100:02d}{rng.randint(0, 999_999):06d}"
    return {"kind": "person", "id_number": number, "birth_year": year,
            "name": _person_name(rng, female),
            "phone": f"09{rng.randint(10_000_000, 99_999_999)}"}


@functools.cache
def _demo_pdf() -> bytes:
    """A one-page PDF standing for a scan in the demo, and saying so."""
    from motcua.forms.pdf import render_text_page

    return render_text_page("Bản số hóa mẫu", "Tệp minh họa của dữ liệu demo motcua; "
                            "không phải giấy tờ thật.")


class _Staff:
    """Who acts on a demo dossier: the official holding the step's role at its unit."""

    def __init__(self, ctx) -> None:
        with ctx.uow() as uow:
            self.by = {(uow.units.code_of(u), r.value): o
                       for o in uow.officials.all() for u, r in o.roles}

    def holder(self, view):
        step = view.steps[view.current_step - 1]
        return self.by.get((step.unit, step.role))

    def desk(self, view):
        return self.by.get((view.unit, "desk"))

    def head(self, view):
        unit = view.steps[view.current_step - 1].unit
        return self.by.get((unit, "head")) or self.by.get((unit, "signer"))


def _dossiers(ctx, clock: FixedClock, now: datetime, procedures: list[dict], count: int,
              rng: random.Random, progress) -> list[str]:
    start = now - timedelta(days=140)
    staff = _Staff(ctx)
    codes = []
    digitised: list[tuple[str, dict]] = []
    for i in range(count):
        p = rng.choice(procedures)
        unit = p["unit"] or rng.choice(COMMUNES)
        # a fifth arrive in the last week, so the inboxes hold work in every state
        recent = rng.random() < 0.2
        day = start + timedelta(days=rng.uniform(132, 139) if recent else rng.uniform(0, 139))
        at = day.astimezone(VN_TZ).replace(hour=rng.randint(7, 16), minute=rng.randint(0, 59))
        channel = rng.choice(p["channels"])
        if channel != "online":  # desks and the post office work office hours only
            at = ctx.calendar.effective_receipt(at, None)
        if at >= now:
            continue
        clock.set(at)
        desk = staff.by.get((unit, "desk")) if channel == "desk" else None
        try:
            scans = [Upload("Bản số hóa thành phần hồ sơ (mẫu demo)", "ban-so-hoa.pdf",
                            _demo_pdf())] if rng.random() < 0.7 else []
            view = uc.receive_dossier(ctx, procedure_code=p["code"], unit_code=unit,
                                      channel=channel, applicant=_applicant(rng), official=desk,
                                      payment_method="online" if channel == "online"
                                      else rng.choice(["cash", "cash", "transfer"]),
                                      uploads=scans)
            if channel == "desk" and recent and len(digitised) < DEMO_SCANS:
                _scan_at_receipt(ctx, clock, view, p, desk, digitised)
            _advance(ctx, clock, now, view, staff, rng)
            codes.append(view.code)
        except MotcuaError:
            continue
        if progress:
            progress(i + 1)
    _reuse_stored(ctx, clock, now, digitised, staff)
    return codes


DEMO_SCANS = 10


def _scan_at_receipt(ctx, clock: FixedClock, view, procedure: dict, desk, digitised) -> None:
    """The desk scans the procedure's first document minutes after receipt (a generated
    page that says it is a demo sample); every other one is certified as a copy. The
    worker reads them when the demo starts."""
    from motcua.services import digitisation
    from motcua.simulators.scanner import page

    documents = [d for d in procedure["documents"] if "xuất trình" not in d]
    if not documents or desk is None:
        return
    clock.set(clock.now() + timedelta(minutes=5))
    name = documents[0]
    lines = ["BẢN QUÉT MẪU (DỮ LIỆU DEMO, KHÔNG CÓ GIÁ TRỊ)", name[:60],
             f"Người nộp: {view.applicant_name}", f"Hồ sơ: {view.code}",
             f"Thủ tục: {procedure['name'][:60]}"]
    component = digitisation.scan(ctx, view.code, desk, name=name, original=True,
                                  uploads=[Upload("", "ban-quet.jpg",
                                                  page(lines, seed=len(digitised)))])
    if len(digitised) % 2 == 0:
        digitisation.certify(ctx, component, desk)
    digitised.append((view.code, procedure))


def _reuse_stored(ctx, clock: FixedClock, now: datetime, digitised, staff) -> None:
    """Two of those applicants file again: the desk takes their stored document."""
    from motcua.services import digitisation

    for code, procedure in digitised[:2]:
        with ctx.uow() as uow:
            first = uow.dossiers.get(code, corrections=False)
            unit_code = uow.units.code_of(first.unit_id)
        clock.set(max(clock.now(), now - timedelta(hours=3)))
        desk = staff.by.get((unit_code, "desk"))
        again = uc.receive_dossier(
            ctx, procedure_code=procedure["code"], unit_code=unit_code, channel="desk",
            applicant={"kind": first.applicant_kind.value, "name": first.applicant_name,
                       "id_number": first.applicant_id_number, "phone": first.applicant_phone,
                       "birth_year": first.applicant_birth_year}, official=desk)
        offered = digitisation.offers(ctx, first.applicant_id_number,
                                      [d for d in procedure["documents"]])
        if offered:
            clock.set(clock.now() + timedelta(minutes=3))
            digitisation.reuse(ctx, again.code, offered[0].id, desk)


def _waiting_filings(ctx, clock: FixedClock, now: datetime, procedures: list[dict],
                     rng: random.Random, wanted: int = 4) -> None:
    """Online filings made in the last hours, waiting for the desk; one already refused."""
    from motcua.services import submissions

    online = [p for p in procedures if "online" in p["channels"] and not p["unit"]]
    staff = _Staff(ctx)
    made = 0
    for i in range(wanted * 3):
        if made == wanted or not online:
            break
        p = rng.choice(online)
        with ctx.uow() as uow:
            procedure = uow.procedures.current(p["code"], ctx.settings.province_code)
        uploads = [Upload(d.name, f"tai-lieu-{n + 1}.pdf", _demo_pdf())
                   for n, d in enumerate(procedure.documents) if d.required]
        clock.set(now - timedelta(hours=wanted - made, minutes=rng.randint(0, 50)))
        unit = rng.choice(COMMUNES)
        try:
            view, _ = submissions.submit(
                ctx, procedure_code=p["code"], unit_code=unit, applicant=_applicant(rng),
                uploads=uploads, submission_key=f"demo-nop-truc-tuyen-{i:04d}")
        except MotcuaError:
            continue
        made += 1
        desk = staff.by.get((unit, "desk"))
        if made == 1 and desk is not None:
            submissions.decline(ctx, view.ref, desk, "Ảnh chụp tờ khai bị mờ, không đọc được "
                                                     "số định danh của người được khai sinh")


def _corrections(ctx, codes: list[str], wanted: int = 2) -> None:
    """A few hand-overs recorded late, waiting in the heads' queue for approval; the desk
    officer who handed the dossier over asks."""
    staff = _Staff(ctx)
    for code in codes:
        view = uc.get_dossier(ctx, code)
        first = view.steps[0]
        if view.status != "in_progress" or not first.finished_at:
            continue
        started, finished = first.started_at, first.finished_at
        if finished - started < timedelta(minutes=40):
            continue
        uc.act(ctx, code, RequestCorrection(target="step_finished", step_seq=1, new_value=finished - timedelta(minutes=30), reason="Hồ sơ đã bàn giao trên giấy, cập nhật phần mềm muộn", evidence="Sổ theo dõi giao nhận hồ sơ của bộ phận một cửa"), staff.desk(view))
        wanted -= 1
        if not wanted:
            return


def _advance(ctx, clock: FixedClock, now: datetime, view, staff: _Staff, rng) -> None:
    """Move a demo dossier on, each action by the right official in working hours."""
    code, steps = view.code, len(view.steps)

    def later(hours: float) -> bool:
        nxt = ctx.calendar.add(clock.now(), int(hours * 3600))
        if nxt >= now:
            return False
        clock.set(nxt)
        return True

    fate = rng.random()
    if fate < 0.04 and later(rng.uniform(1, 12)):
        uc.act(ctx, code, Refuse("Hồ sơ không thuộc thẩm quyền giải quyết"), staff.head(view))
        return
    if fate < 0.06 and later(rng.uniform(1, 12)):
        uc.act(ctx, code, Withdraw("Công dân có đơn xin rút hồ sơ"), staff.desk(view))
        return
    if fate < 0.08 and later(rng.uniform(1, 12)):
        uc.act(ctx, code, Stop("Có tranh chấp, chờ cơ quan có thẩm quyền giải quyết"), staff.head(view))
        return
    if fate < 0.12 and now - clock.now() < timedelta(days=8) and later(rng.uniform(1, 6)):
        uc.act(ctx, code, RequestSupplement(["Bản sao giấy khai sinh", "Giấy xác nhận cư trú"], reason="Thiếu giấy tờ theo quy định"), staff.holder(view))
        return
    for step in range(steps):
        if step == 1 and rng.random() < 0.1 and later(rng.uniform(1, 6)):
            view = uc.act(ctx, code, RequestSupplement(["Bản sao giấy tờ còn thiếu"]), staff.holder(view))
            if not later(rng.lognormvariate(2, 0.8)):
                return
            view = uc.act(ctx, code, Supplement(), staff.desk(view))
        if step == 1 and rng.random() < 0.05 and later(1):
            new_date = ctx.calendar.add(view.appointment, 3 * 8 * 3600)
            view = uc.act(ctx, code, Extend(new_date, "Cần xác minh thêm thông tin"), staff.head(view))
        if not later(rng.lognormvariate(1.2, 0.9)):
            return
        view = uc.act(ctx, code, CompleteStep(), staff.holder(view))
    if later(rng.uniform(1, 24)):
        if rng.random() < 0.6:
            uc.act(ctx, code, Attach("result", tuple([Upload("Kết quả điện tử (mẫu demo)", "ket-qua.pdf",
                                                   _demo_pdf())])), staff.desk(view))
        uc.act(ctx, code, ReturnResult(), staff.desk(view))
        if rng.random() < 0.4 and later(rng.uniform(0.5, 16)):
            uc.act(ctx, code, Rate(rng.choices([5, 4, 3, 2, 1], [50, 30, 12, 5, 3])[0]), actor=APPLICANT)


DEMO_MAIL_DOMAIN = "demo.motcua.local"
CARRIER_STEP_SECONDS = 30  # the demo's parcels move one event on every half minute


DEMO_CITIZEN_SUB = "cong-dan-demo"


def demo_citizen(ctx, identity_url: str) -> str | None:
    """A citizen of the demo data (one with stored documents) made known to the local
    e-ID provider; the name to type there."""
    import httpx
    import sqlalchemy as sa

    with ctx.engine.connect() as conn:
        row = conn.execute(sa.text(
            "SELECT d.applicant_id_number, d.applicant_name, d.applicant_phone FROM dossiers d "
            "JOIN citizen_documents c ON c.applicant_id_number = d.applicant_id_number "
            "ORDER BY d.id LIMIT 1")).first()
    if row is None:
        return None
    httpx.put(f"{identity_url}/users/{DEMO_CITIZEN_SUB}", json={
        "SoDinhDanh": row[0], "HoVaTen": row[1], "SoDienThoai": row[2] or "", "acr": "2"})
    return f"{DEMO_CITIZEN_SUB} ({row[1]})"


class OutsideSystems:
    """What the demo starts beside the web server: a real SMTP server keeping mail in the
    data folder (shown at /hop-thu-thu-nghiem), the messaging providers' simulator, the
    postal carrier's, whose parcels move on by themselves, and the national portal's."""

    def __init__(self, data_dir, public_url: str, smtp_port: int, providers_port: int,
                 carrier_port: int, portal_port: int, identity_port: int,
                 payment_port: int, population_port: int) -> None:
        import secrets
        import threading

        from motcua.simulators.carrier import CarrierSimulator
        from motcua.simulators.carrier import settings_for as carrier_settings
        from motcua.simulators.mailbox import MailServer
        from motcua.simulators.payment import PaymentSimulator
        from motcua.simulators.payment import settings_for as payment_settings
        from motcua.simulators.population import PopulationSimulator
        from motcua.simulators.population import settings_for as population_settings
        from motcua.simulators.portal import PortalSimulator
        from motcua.simulators.portal import settings_for as portal_settings
        from motcua.simulators.providers import ProviderSimulator, Served, settings_for

        folder = data_dir / "hop-thu-thu-nghiem"
        self.mail = MailServer(folder, smtp_port).start()
        simulator = ProviderSimulator(zns_webhook=f"{public_url}/api/v1/thong-bao/bien-nhan/zns")
        self.providers = Served(simulator.app(), providers_port).start()
        # the post: a parcel fails once (nobody at home), is redelivered, then delivered
        post = CarrierSimulator(webhook=f"{public_url}/api/v1/buu-chinh/su-kien",
                                webhook_token=secrets.token_urlsafe(16),
                                default_scenario="failed_then_delivered")
        self.carrier = Served(post.app(), carrier_port).start()
        # the national public-service portal: dossiers reach it as they move
        self.portal = Served(PortalSimulator(store=data_dir / "cong-quoc-gia-mo-phong.json")
                             .app(), portal_port).start()
        # the payment gateway: its result comes back to motcua's IPN and the browser
        pay = PaymentSimulator(ipn_url=f"{public_url}/api/v1/thanh-toan/ipn")
        self.payment = Served(pay.app(), payment_port).start()
        # the population database: the demo's applicants are its people
        self.population = PopulationSimulator()
        self.population_server = Served(self.population.app(), population_port).start()
        # the e-ID provider (OpenID Connect), where a demo citizen signs in
        import contextlib

        import oidc_provider_mock

        self.closing = contextlib.ExitStack()
        self.identity = self.closing.enter_context(oidc_provider_mock.run_server_in_thread(
            port=identity_port, require_nonce=True))
        self.identity_url = f"http://localhost:{self.identity.server_port}"
        self.stopping = threading.Event()
        threading.Thread(target=post.run_clock, args=(CARRIER_STEP_SECONDS, self.stopping),
                         name="buu-chinh-mo-phong", daemon=True).start()
        self.settings = {"smtp_host": "127.0.0.1", "smtp_port": smtp_port,
                         "mail_from": f"Một cửa Đắk Lắk (bản demo) <motcua@{DEMO_MAIL_DOMAIN}>",
                         "demo_mailbox": folder, "receipt_token": secrets.token_urlsafe(16),
                         **settings_for(simulator, self.providers.url),
                         **carrier_settings(post, self.carrier.url),
                         **portal_settings(PortalSimulator, self.portal.url),
                         "dvcqg_madonvi": "H15",
                         "oidc_discovery_url":
                             f"{self.identity_url}/.well-known/openid-configuration",
                         "oidc_client_secret": secrets.token_urlsafe(16),
                         **payment_settings(pay, self.payment.url),
                         **population_settings(self.population,
                                               self.population_server.url)}

    def stop(self) -> None:
        self.stopping.set()
        self.carrier.stop()
        self.portal.stop()
        self.payment.stop()
        self.population_server.stop()
        self.closing.close()

    def register_people(self, ctx) -> int:
        """The demo's applicants, as the population database knows them."""
        import sqlalchemy as sa

        with ctx.engine.connect() as conn:
            rows = conn.execute(sa.text(
                "SELECT DISTINCT applicant_id_number, applicant_name, applicant_birth_year, "
                "applicant_address FROM dossiers WHERE applicant_kind = 'person' "
                "AND applicant_id_number <> ''")).all()
        for id_number, name, year, address in rows:
            self.population.people[id_number] = {
                "HoVaTen": name, "NamSinh": year or "", "NoiOHienTai": address or ""}
        return len(rows)
        self.providers.stop()
        self.mail.stop()
