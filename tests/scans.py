"""Scanned-like pages for the digitisation tests (``motcua.simulators.scanner``)."""

from __future__ import annotations

from motcua.simulators import scanner

BIRTH_CERTIFICATE = [
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "GIẤY CHỨNG SINH",
    "Họ và tên mẹ: Nguyễn Thị Hoa", "Nơi cư trú: thôn Đông Hòa, xã Hòa Phú, tỉnh Đắk Lắk",
    "Đã sinh con vào lúc 08 giờ 30 phút ngày 14 tháng 11 năm 2026",
    "Dự định đặt tên con là: Trần Thị Mai Anh", "Bệnh viện Đa khoa vùng Tây Nguyên"]


def page(lines: list[str] = BIRTH_CERTIFICATE, **kwargs) -> bytes:
    return scanner.page(lines, **kwargs)


def pdf_of(pages: list[bytes]) -> bytes:
    import img2pdf

    return img2pdf.convert(pages)


def result_pdf(text: str = "Giay khai sinh (ban dien tu)") -> bytes:
    """A born-digital result document, as a signer would upload it."""
    import io

    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    drawing = canvas.Canvas(out)
    drawing.drawString(72, 760, text)
    drawing.save()
    return out.getvalue()
