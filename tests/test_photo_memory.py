"""Photos with bounded memory: what one upload costs a worker, measured in a process of its own.

Each case runs photos.save() in a fresh Python process and reports how far the process's peak
resident memory rose above what it held just before: the peak (VmHWM) is reset to the current
size through /proc/self/clear_refs right before the upload, so neither the start-up nor what the
test suite held (ru_maxrss survives exec on Linux) is counted.
"""
import io
import json
import os
import subprocess
import sys

import pytest
from PIL import Image

from tests import images

BUDGET_MB = 150

PROBE = r"""
import json, os, sys
from werkzeug.datastructures import FileStorage
from board import create_app, photos
from tests.conftest import make_test_config

app = create_app(make_test_config("sqlite://"), instance_path=sys.argv[2])
with app.test_request_context():
    photos.save(FileStorage(open(sys.argv[3], "rb"), filename="warm.png"))  # libraries loaded, caches warm
    def status(field):
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith(field + ":"))
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # the peak (VmHWM) starts again from the current size
    before_kb = status("VmRSS")
    try:
        with open(sys.argv[1], "rb") as f:
            name = photos.save(FileStorage(f, filename="upload"))
        outcome = "stored"
        with photos.Image.open(photos.path_of(name)) as stored:
            size = list(stored.size)
    except photos.TooManyPixels:
        outcome, size = "too many pixels", None
    peak_kb = status("VmHWM")
print(json.dumps({"outcome": outcome, "size": size, "grew_mb": max(0, peak_kb - before_kb) / 1024}))
"""


def measure(tmp_path, data: bytes) -> dict:
    upload, warm = tmp_path / "upload", tmp_path / "warm.png"
    upload.write_bytes(data)
    warm.write_bytes(images.png(32, 32))
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    result = subprocess.run([sys.executable, "-c", PROBE, str(upload), str(tmp_path / "instance"), str(warm)],
                            capture_output=True, text=True, cwd=root, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    print(f"photo upload: {len(data) // 1024} kB → {figures}")  # the figures the README quotes (pytest -s)
    return figures


def encoded(size, fmt, **options) -> bytes:
    out = io.BytesIO()
    Image.linear_gradient("L").resize(size).convert("RGB").save(out, fmt, **options)
    return out.getvalue()


def test_a_small_png_declaring_9400_by_9400_pixels_is_refused_before_decoding(tmp_path):
    bomb = images.bomb_png(9400, 9400)
    assert len(bomb) < 300_000 and Image.open(io.BytesIO(bomb)).size == (9400, 9400)
    result = measure(tmp_path, bomb)
    assert result["outcome"] == "too many pixels"
    assert result["grew_mb"] < 20, result


def test_a_40_megapixel_jpeg_is_decoded_scaled_down_within_the_budget(tmp_path):
    data = encoded((7744, 5164), "JPEG", quality=80)
    result = measure(tmp_path, data)
    assert result["outcome"] == "stored" and max(result["size"]) == 1600, result
    assert result["grew_mb"] < BUDGET_MB, result


@pytest.mark.parametrize("fmt,size,options", [
    ("PNG", (4000, 3000), {}), ("WEBP", (3000, 2000), {}), ("JPEG", (4000, 3000), {"progressive": True}),
], ids=["png-12mp", "webp-6mp", "progressive-jpeg-12mp"])
def test_what_is_decoded_whole_stays_within_the_budget_at_its_limit(tmp_path, fmt, size, options):
    data = encoded(size, fmt, **options)
    result = measure(tmp_path, data)
    assert result["outcome"] == "stored" and max(result["size"]) == 1600, result
    assert result["grew_mb"] < BUDGET_MB, result


@pytest.mark.parametrize("size,fmt,options", [
    ((7800, 5200), "JPEG", {}), ((4100, 3000), "PNG", {}), ((3100, 2000), "WEBP", {}),
    ((4100, 3000), "JPEG", {"progressive": True}),
], ids=["jpeg", "png", "webp", "progressive-jpeg"])
def test_more_pixels_than_allowed_is_refused_before_decoding(tmp_path, size, fmt, options):
    result = measure(tmp_path, encoded(size, fmt, **options))
    assert result["outcome"] == "too many pixels", result
    assert result["grew_mb"] < 20, result


def test_the_figures_are_real(tmp_path):
    """The probe sees memory: a PNG decoded whole (12 MP, 4 bytes a pixel) costs tens of MB."""
    result = measure(tmp_path, encoded((4000, 3000), "PNG"))
    assert result["grew_mb"] > 40, result
    print(json.dumps(result))
