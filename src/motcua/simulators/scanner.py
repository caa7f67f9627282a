"""A document scanner for the demo and the tests: scanned-like pages of Vietnamese text
rendered at 300 dpi on A4 (DejaVu Serif), turned a few degrees, with speckle noise, saved
as a JPEG as a phone or a scanner would."""

from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
A4_300_DPI = (2480, 3508)


def page(lines: list[str], *, angle: float = 2.5, noise: int = 30000, seed: int = 1,
         size: tuple[int, int] = A4_300_DPI, dpi: int = 300) -> bytes:
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
    for _ in range(noise * width * height // (A4_300_DPI[0] * A4_300_DPI[1])):
        pixels[rng.randrange(width), rng.randrange(height)] = rng.randrange(0, 256)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=80, dpi=(dpi, dpi))
    return out.getvalue()
