"""Digitisation: how many A4 pages a minute the worker reads on this machine, and how long
the desk waits for a 10-page scan to be stored (which must not include the reading).

1. OCR: generated A4 pages at 300 dpi (Vietnamese text, turned 2,5°, speckle noise,
   JPEG), read as motcua reads them (``motcua.ocr.ocr``: OCRmyPDF with Tesseract ``vie``,
   rotation, deskew, PDF/A, the text and the blank-page check), one process per core;
   baseline in the same run: the bare ``tesseract`` command on the same images
   (text only, no PDF, no deskew), what the OCR engine alone allows.
2. Desk: ``services.digitisation.scan`` of 10 phone photos (the same pages) on SQLite,
   from the request's bytes to the committed component; baseline in the same run: the
   plain ``Attach`` of the same 10 files (the filing's ordinary upload path).

Prints one JSON object. Run: .venv/bin/python benchmarks/bench_ocr.py
Target (issue 20): the desk's wait for a 10-page scan <= 2 s.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from motcua import ocr  # noqa: E402
from motcua.bootstrap import build  # noqa: E402
from motcua.domain.clock import FixedClock  # noqa: E402
from motcua.domain.commands import Attach  # noqa: E402
from motcua.domain.documents import Upload  # noqa: E402
from motcua.services import digitisation  # noqa: E402
from motcua.services import dossiers as uc  # noqa: E402
from motcua.services.officials import create_official  # noqa: E402
from motcua.services.procedures import procedure_from_dict, save_procedures  # noqa: E402
from motcua.services.units import create_unit  # noqa: E402
from motcua.settings import Settings  # noqa: E402
from tests.conftest import vn  # noqa: E402
from tests.scans import page  # noqa: E402

PAGES = int(os.environ.get("MOTCUA_BENCH_OCR_PAGES", "6"))
CORES = os.cpu_count() or 1
ROUNDS = int(os.environ.get("MOTCUA_BENCH_ROUNDS", "5"))


def _motcua_read(image: bytes) -> float:
    pdf = ocr.assemble([(image, "image/jpeg")]).pdf
    return ocr.ocr(pdf).seconds


def _tesseract(image: bytes) -> float:
    with tempfile.NamedTemporaryFile(suffix=".jpg") as f:
        f.write(image)
        f.flush()
        started = time.monotonic()
        subprocess.run(["tesseract", f.name, "-", "-l", "vie"], capture_output=True,
                       check=True, env={**os.environ, "OMP_THREAD_LIMIT": "1"})
        return time.monotonic() - started


def pages_per_minute(work, images: list[bytes]) -> float:
    started = time.monotonic()
    with ProcessPoolExecutor(max_workers=CORES) as pool:
        list(pool.map(work, images))
    return round(60 * len(images) / (time.monotonic() - started), 1)


def desk(folder: Path, images: list[bytes]) -> dict:
    app = build(Settings(database_url=f"sqlite:///{folder}/bench.sqlite3",
                         data_dir=folder / "data"), clock=FixedClock(vn(2026, 1, 5, 9)))
    create_unit(app, code="24175", name="Xã Hòa Phú", kind="commune")
    save_procedures(app, [procedure_from_dict({
        "code": "1.001193", "name": "Đăng ký khai sinh", "deadline": {"working_days": 3},
        "documents": ["Giấy chứng sinh"],
        "steps": [{"name": "Tiếp nhận", "role": "desk", "working_hours": 4}]})])
    official = create_official(app, username="motcua", full_name="Cán bộ đo",
                               password="mat-khau-do", roles=[("24175", "desk")])
    citizen = {"kind": "person", "id_number": "066190001234", "name": "Phạm Thị Công Dân"}
    scans, attaches = [], []
    for n in range(ROUNDS * 2):  # alternating, so both see the same machine state
        code = uc.receive_dossier(app, procedure_code="1.001193", unit_code="24175",
                                  channel="desk", applicant=citizen, official=official).code
        # each round's pages differ (one changed byte), so nothing is stored already
        photos = [Upload("", f"trang-{i}.jpg", img[:-2] + bytes([n % 256]) + img[-1:])
                  for i, img in enumerate(images)]
        started = time.monotonic()
        if n % 2:
            uc.act(app, code, Attach("input", tuple(Upload("Giấy chứng sinh", p.filename,
                                                           p.data) for p in photos)), official)
            attaches.append(time.monotonic() - started)
        else:
            digitisation.scan(app, code, official, name="Giấy chứng sinh", original=True,
                              uploads=photos)
            scans.append(time.monotonic() - started)
    app.close()
    return {"scan_10_pages_s": round(statistics.median(scans), 3),
            "scan_10_pages_max_s": round(max(scans), 3),
            "baseline_attach_10_files_s": round(statistics.median(attaches), 3),
            "megabytes": round(sum(len(i) for i in images) / 1e6, 1)}


def main() -> None:
    images = [page(seed=n, angle=2.5) for n in range(max(PAGES, 10))]
    with tempfile.TemporaryDirectory() as tmp:
        desk_figures = desk(Path(tmp), images[:10])
    ocr_images = images[:PAGES]
    print(json.dumps({
        "cores": CORES, "pages": len(ocr_images),
        "ocr_pages_per_minute": pages_per_minute(_motcua_read, ocr_images),
        "baseline_tesseract_pages_per_minute": pages_per_minute(_tesseract, ocr_images),
        **desk_figures}, ensure_ascii=False))


if __name__ == "__main__":
    main()
