"""Scanned-like pages for the digitisation tests: Vietnamese text rendered at 300 dpi on
A4, turned a few degrees, with speckle noise, saved as a JPEG as a phone or a scanner
would."""

from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
BIRTH_CERTIFICATE = [
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "GIẤY CHỨNG SINH",
    "Họ và tên mẹ: Nguyễn Thị Hoa", "Nơi cư trú: thôn Đông Hòa, xã Hòa Phú, tỉnh Đắk Lắk",
    "Đã sinh con vào lúc 08 giờ 30 phút ngày 14 tháng 11 năm 2026",
    "Dự định đặt tên con là: Trần Thị Mai Anh", "Bệnh viện Đa khoa vùng Tây Nguyên"]


def page(lines: list[str] = BIRTH_CERTIFICATE, *, angle: float = 2.5, noise: int = 30000,
         seed: int = 1, size: tuple[int, int] = (2480, 3508), dpi: int = 300) -> bytes:
    """One page as a JPEG; no lines gives a blank (but noisy) page."""
    width, height = size
    img = Image.new("L", size, 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(FONT, max(10, width // 56))
    y = height // 12
    for line in lines:
        draw.text((width // 10, y), line, font=font, fill=0)
        y += height // 32
    img = img.rotate(angle, fillcolor=255, resample=Image.BICUBIC)
    pixels, rng = img.load(), random.Random(seed)
    for _ in range(noise * width * height // (2480 * 3508)):
        pixels[rng.randrange(width), rng.randrange(height)] = rng.randrange(0, 256)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=80, dpi=(dpi, dpi))
    return out.getvalue()


def pdf_of(pages: list[bytes]) -> bytes:
    import img2pdf

    return img2pdf.convert(pages)
