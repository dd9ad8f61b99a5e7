"""Draws the home-screen icons (static/icons/*.png) with Pillow: `python -m board.app_icons`.

A door with its handle and a bag hanging on it, on the brand's colour; the maskable icon keeps the
drawing inside the middle 80 % that launchers may crop to a circle.
"""
import os

from PIL import Image, ImageDraw

ACCENT = (154, 52, 18)
PAPER = (255, 253, 248)
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "static", "icons")


def draw(size: int, *, maskable: bool) -> Image.Image:
    image = Image.new("RGB", (size, size), ACCENT)
    d = ImageDraw.Draw(image)
    scale = 0.62 if maskable else 0.78  # the drawing's share of the side
    w = size * scale * 0.62
    h = size * scale
    left, top = (size - w) / 2, (size - h) / 2
    d.rounded_rectangle([left, top, left + w, top + h], radius=size * 0.03, fill=PAPER)
    handle_x, handle_y = left + w * 0.78, top + h * 0.52
    r = size * 0.035
    d.ellipse([handle_x - r, handle_y - r, handle_x + r, handle_y + r], fill=ACCENT)
    bag_w, bag_h = w * 0.42, h * 0.26
    bag_left, bag_top = handle_x - bag_w * 0.8, handle_y + r * 2
    d.line([handle_x, handle_y, bag_left + bag_w * 0.3, bag_top], fill=ACCENT, width=max(2, size // 80))
    d.line([handle_x, handle_y, bag_left + bag_w * 0.7, bag_top], fill=ACCENT, width=max(2, size // 80))
    d.rounded_rectangle([bag_left, bag_top, bag_left + bag_w, bag_top + bag_h], radius=size * 0.02,
                        fill=(30, 107, 58))
    return image


def main() -> None:
    os.makedirs(OUT, exist_ok=True)
    for size in (192, 512):
        draw(size, maskable=False).save(os.path.join(OUT, f"icon-{size}.png"), optimize=True)
    draw(512, maskable=True).save(os.path.join(OUT, "icon-maskable-512.png"), optimize=True)
    draw(180, maskable=False).save(os.path.join(OUT, "apple-touch-icon.png"), optimize=True)


if __name__ == "__main__":
    main()
