"""Doorstep photos: checked from their content, re-encoded small and without metadata, kept private.

Only the pixels survive: Pillow decodes the upload (whatever its name or declared type says),
turns it upright, scales it down and saves a fresh file, so EXIF (GPS, camera), XMP and text
chunks are left behind. Files live under instance/photos/ with random names.

Memory stays bounded: the picture's declared size is read from its header and refused above
PHOTO_MAX_PIXELS before anything is decoded (a 250 kB PNG can declare 9400 × 9400 pixels, 350 MB
decoded); a baseline JPEG is decoded already scaled down (libjpeg's `draft`), and what cannot be
(PNG, WebP, progressive JPEG) has the lower PHOTO_MAX_PIXELS_FULL, since it is held whole while decoding.
"""
from __future__ import annotations

import os
import secrets
import warnings

from flask import current_app
from PIL import Image, ImageOps, UnidentifiedImageError
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import RequestEntityTooLarge

FORMATS = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png"), "WEBP": ("webp", "image/webp")}
MIMETYPES = {ext: mimetype for ext, mimetype in FORMATS.values()}


class NotAnImage(ValueError):
    """The upload is not a JPEG, PNG or WebP picture."""


class TooManyPixels(NotAnImage):
    """A picture whose declared size would take too much memory to decode."""


def folder() -> str:
    path = os.path.join(current_app.instance_path, "photos")
    os.makedirs(path, exist_ok=True)
    return path


def path_of(name: str) -> str:
    """The file of a stored photo; names are ours (token + extension), never a resident's."""
    if os.path.basename(name) != name or name.startswith("."):
        raise ValueError("bad photo name")
    return os.path.join(folder(), name)


def _too_large(upload: FileStorage, limit: int) -> bool:
    stream = upload.stream
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    return size > limit


def save(upload: FileStorage) -> str:
    """Store the upload as a clean, downscaled picture; returns its random file name."""
    cfg = current_app.config
    if _too_large(upload, cfg["PHOTO_MAX_BYTES"]):
        raise RequestEntityTooLarge()
    try:
        with warnings.catch_warnings():
            # A "decompression bomb" (tiny file, gigantic picture) is refused, not decoded.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload.stream) as probe:  # reads the header only
                if probe.format not in FORMATS:
                    raise NotAnImage(probe.format)
                _check_pixels(probe, cfg)
                probe.verify()
            upload.stream.seek(0)
            with Image.open(upload.stream) as image:
                fmt = image.format
                if fmt == "JPEG":
                    # Decode at 1/2, 1/4 or 1/8 of the size, still at least PHOTO_MAX_SIDE a side.
                    image.draft(None, (cfg["PHOTO_MAX_SIDE"], cfg["PHOTO_MAX_SIDE"]))
                image.load()
                clean = _clean(image, cfg["PHOTO_MAX_SIDE"], fmt)
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning, OSError,
            SyntaxError) as error:
        raise NotAnImage(str(error)) from None
    ext, _mimetype = FORMATS[fmt]
    name = f"{secrets.token_urlsafe(24)}.{ext}"
    options = {"quality": 85} if fmt in ("JPEG", "WEBP") else {"optimize": True}
    clean.save(path_of(name), format=fmt, **options)
    return name


def _check_pixels(image: Image.Image, cfg) -> None:
    width, height = image.size
    # libjpeg decodes a baseline JPEG scaled down; a progressive one keeps every coefficient at full size.
    scaled = image.format == "JPEG" and not image.info.get("progressive") and not image.info.get("progression")
    limit = cfg["PHOTO_MAX_PIXELS"] if scaled else cfg["PHOTO_MAX_PIXELS_FULL"]
    if image.format == "WEBP":
        limit //= 2  # libwebp decodes into a buffer of its own before Pillow copies it: about 15 bytes a pixel
    if width * height > limit:
        raise TooManyPixels(f"{width}x{height}")


def _clean(image: Image.Image, max_side: int, fmt: str) -> Image.Image:
    """Upright, at most `max_side` pixels a side, and a brand-new image that carries no metadata."""
    image.thumbnail((max_side, max_side))  # first, in place: the copies below are of the small picture
    upright = ImageOps.exif_transpose(image)
    if fmt == "JPEG" and upright.mode not in ("RGB", "L"):
        upright = upright.convert("RGB")
    elif upright.mode not in ("RGB", "RGBA", "L", "LA"):
        upright = upright.convert("RGBA" if "A" in upright.getbands() or "transparency" in upright.info else "RGB")
    clean = Image.new(upright.mode, upright.size)
    clean.paste(upright)
    return clean


def delete(name: str | None) -> None:
    if not name:
        return
    try:
        os.remove(path_of(name))
    except FileNotFoundError:
        pass


def mimetype_of(name: str) -> str:
    return MIMETYPES[name.rsplit(".", 1)[-1]]
