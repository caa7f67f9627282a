"""Many queued notifications at once, as a burst of dossier changes would leave them (the
reliability tests and the outbox benchmark)."""

from __future__ import annotations

from motcua.domain.notifications import DEFAULT_TEMPLATES, Channel, Recipient
from motcua.services.notifications import Notification


def queue_emails(app, count: int, *, tag: str = "loat") -> list[int]:
    """``count`` email rows (the "received" message) due now; their ids."""
    template = DEFAULT_TEMPLATES["da_tiep_nhan"]
    now = app.clock.now()
    with app.uow() as uow:
        for i in range(count):
            code = f"{tag}-{i:06d}"
            n = Notification("receive", f"{code}:1:da_tiep_nhan:citizen:email", Recipient.CITIZEN,
                             f"Người nhận {i}", f"nguoi{i}@example.vn", Channel.EMAIL, (),
                             template, {"ten": f"Người nhận {i}", "ma_ho_so": code,
                                        "thu_tuc": "Đăng ký khai sinh", "co_quan": "Xã Hòa Phú",
                                        "ngay_hen": "09:00 08/01/2026",
                                        "lien_ket": f"http://127.0.0.1/tra-cuu?ma={code}"},
                             code, None)
            uow.notifications.add(n.row(66, now))
        uow.commit()
    return [r.id for r in uow_rows(app, tag)]


def uow_rows(app, tag: str) -> list:
    import sqlalchemy as sa

    with app.engine.connect() as conn:
        return list(conn.execute(sa.text(
            "SELECT id, status FROM notification_outbox WHERE dossier_code LIKE :p ORDER BY id"),
            {"p": f"{tag}-%"}))
