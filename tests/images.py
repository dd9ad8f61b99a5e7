"""Images built in the tests: a real small PNG, and a small PNG file that declares a huge picture."""
import io
import struct
import zlib
from functools import lru_cache

from PIL import Image


def png(width: int, height: int, colour=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "PNG")
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


@lru_cache(maxsize=4)
def bomb_png(width: int, height: int) -> bytes:
    """A valid PNG of `width` × `height` black RGB pixels: a few hundred kB on disk, width×height×3 bytes decoded."""
    compressor = zlib.compressobj(9)
    row = b"\x00" + b"\x00" * (width * 3)  # filter byte "none", then the pixels
    body = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", body) + _chunk(b"IEND", b"")
