"""Scans into PDFs, and PDFs into searchable PDF/A: img2pdf, pikepdf, OCRmyPDF with
Tesseract's Vietnamese model, Poppler's pdftotext and pdftoppm.

``assemble`` is what the desk waits for: photos wrapped into one PDF without re-encoding
(img2pdf), or a scanner's PDF checked and its pages counted (pikepdf) — no OCR. ``ocr``
is the worker's: OCRmyPDF run in its own process (``python -m ocrmypdf``: a hung
Tesseract is killed at the time limit and cannot take the worker with it) turns pages
upright (``--rotate-pages``), straightens them (``--deskew``) and writes PDF/A with a text
layer. A PDF that has text already is kept as it is when the text is substantial (born
digital: Debian 12's Ghostscript 10.0 corrupts such files when re-written, and their text
needs no reading), and read in full (``--force-ocr``) when it is a stamp's few words on a
scan (a certified copy); ``pdftotext`` reads
the text back and ``pdftoppm`` at low resolution finds blank
pages.
"""

from __future__ import annotations

import io
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

BLANK_INK = 0.004  # a page with less dark ink than this share, and no text, is blank
BORN_DIGITAL_CHARACTERS = 200  # a PDF with this much text of its own needs no reading
# OCRmyPDF's exit codes (ocrmypdf.ExitCode) that no retry will change
PERMANENT = {2: "tham số không hợp lệ", 4: "không tạo được tệp PDF hợp lệ",
             8: "tệp PDF có mật khẩu, cần bản quét không khóa",
             9: "cấu hình không hợp lệ"}


class ScanError(Exception):
    """The scan cannot be read as it is; ``str()`` says why in Vietnamese."""


@dataclass(frozen=True)
class Assembled:
    pdf: bytes
    pages: int
    source: str  # "pdf" | "photos"
    problem: str = ""  # why the scan cannot be read (kept all the same, for a person)


def _pdf_pages(data: bytes) -> tuple[int, str]:
    import pikepdf

    try:
        with pikepdf.open(io.BytesIO(data)) as doc:
            return len(doc.pages), ""
    except pikepdf.PasswordError:
        return 0, "Tệp PDF có mật khẩu: cần bản quét không khóa."
    except pikepdf.PdfError as exc:
        return 0, f"Tệp PDF hỏng, không đọc được ({exc.__class__.__name__})."


def assemble(files: list[tuple[bytes, str]]) -> Assembled:
    """One PDF from a scanner's PDF, or from photos (JPEG, PNG) in their order."""
    if not files:
        raise ScanError("Chưa chọn tệp quét nào.")
    kinds = {ctype for _, ctype in files}
    if "application/pdf" in kinds:
        if len(files) > 1:
            raise ScanError("Chọn một tệp PDF, hoặc nhiều ảnh chụp (JPEG, PNG) để ghép.")
        data = files[0][0]
        pages, problem = _pdf_pages(data)
        return Assembled(data, pages, "pdf", problem)
    import img2pdf
    from PIL import Image

    images = []
    for data, ctype in files:
        if ctype == "image/png":  # img2pdf refuses an alpha channel: flatten it
            with Image.open(io.BytesIO(data)) as img:
                if img.mode in ("RGBA", "LA", "P"):
                    out = io.BytesIO()
                    img.convert("RGB").save(out, "PNG")
                    data = out.getvalue()
        images.append(data)
    try:
        pdf = img2pdf.convert(images, rotation=img2pdf.Rotation.ifvalid)
    except Exception as exc:  # noqa: BLE001 - a damaged photo, said plainly
        raise ScanError(f"Không ghép được ảnh chụp thành PDF: {exc}") from exc
    return Assembled(pdf, len(images), "photos")


@dataclass(frozen=True)
class OcrOutput:
    pdf: bytes
    text: str
    blank_pages: list[int]
    seconds: float


class OcrFailed(Exception):
    def __init__(self, message: str, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


def _text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", pdf.name, "-"], cwd=pdf.parent,
                          capture_output=True, timeout=120, check=False).stdout.decode(
        "utf-8", "replace")


def _ink(png_dir: Path) -> list[float]:
    from PIL import Image

    shares = []
    for path in sorted(png_dir.glob("p-*.pgm"), key=lambda p: int(p.stem.split("-")[1])):
        with Image.open(path) as img:
            histogram = img.convert("L").histogram()
        shares.append(sum(histogram[:128]) / max(1, sum(histogram)))
    return shares


def ocr(pdf: bytes, *, language: str = "vie", timeout_s: float = 600,
        page_timeout_s: float = 120) -> OcrOutput:
    """The searchable PDF/A, its text (pages separated by form feeds) and its blank pages
    (1-based)."""
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="motcua-ocr-") as tmp:
        folder = Path(tmp)
        (folder / "in.pdf").write_bytes(pdf)
        command = [sys.executable, "-m", "ocrmypdf", "-l", language, "--rotate-pages",
                   "--deskew", "--output-type", "pdfa",
                   # a signed copy (a reused certified copy) is read all the same: the
                   # searchable PDF/A is a separate file, the signed one stays as it was
                   "--invalidate-digital-signatures", "--jobs", "1", "-q",
                   "--tesseract-timeout", str(int(page_timeout_s)), "in.pdf", "out.pdf"]

        def run(extra: list[str]) -> subprocess.CompletedProcess:
            left = max(1.0, timeout_s - (time.monotonic() - started))
            try:
                return subprocess.run(command[:3] + extra + command[3:], cwd=folder,
                                      capture_output=True, check=False, timeout=left)
            except subprocess.TimeoutExpired as exc:
                raise OcrFailed(f"Nhận dạng chữ quá {int(timeout_s)} giây.", False) from exc

        done = run([])
        if done.returncode == 6:  # the PDF has text already
            if len(_text(folder / "in.pdf").strip()) >= BORN_DIGITAL_CHARACTERS:
                (folder / "out.pdf").write_bytes(pdf)  # born digital: nothing to read
                done = subprocess.CompletedProcess(command, 0)
            else:  # a scan with a stamp's few words on it (a certified copy): read it all
                done = run(["--force-ocr"])
        if done.returncode != 0:
            reason = PERMANENT.get(done.returncode)
            detail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
            raise OcrFailed(f"Nhận dạng chữ lỗi (mã {done.returncode}"
                            f"{': ' + reason if reason else ''}). {detail[0][:300]}",
                            reason is not None)
        out = (folder / "out.pdf").read_bytes()
        text = _text(folder / "out.pdf")
        subprocess.run(["pdftoppm", "-r", "12", "-gray", "out.pdf", "p"], cwd=folder,
                       capture_output=True, timeout=120, check=False)
        ink = _ink(folder)
    pages_text = text.split("\f")
    blank = [n for n, share in enumerate(ink, start=1)
             if share < BLANK_INK and not (pages_text[n - 1].strip()
                                           if n - 1 < len(pages_text) else "")]
    return OcrOutput(out, text, blank, time.monotonic() - started)
