"""Doorstep photos: type from content, re-encoded and downscaled, every byte of metadata gone."""
import io
import os

import pytest
from PIL import Image

from board import photos
from board.extensions import db
from board.models import Handoff
from tests import factories

GPS_IFD = 0x8825


def gps_tagged_jpeg(size=(2400, 1800)) -> bytes:
    """A photo as a phone takes it: camera make and model, and where it was taken."""
    image = Image.new("RGB", size, (30, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Pocket Camera 9"  # Model
    exif[0x0112] = 6  # Orientation: rotate 90° to show upright
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (31.0, 17.0, 55.0), 3: "E", 4: (120.0, 35.0, 12.0)})
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes(), quality=90)
    data = buffer.getvalue()
    assert b"PhoneMaker" in data and Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD)
    return data


@pytest.fixture
def matched(resident, neighbour, make_client, login):
    need = factories.card(resident)
    helper = login(make_client(), neighbour)
    helper.post(f"/cards/{need.id}/help", data={})
    return helper, Handoff.query.one()


def leave(helper, handoff, data: bytes, filename="door.jpg", note="on the handle"):
    return helper.post(
        f"/handoffs/{handoff.id}/leave",
        data={"note": note, "version": handoff.version, "photo": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def stored(handoff) -> str:
    handoff = db.session.get(Handoff, handoff.id, populate_existing=True)
    return photos.path_of(handoff.photo_name)


def test_gps_and_camera_are_stripped_and_the_photo_is_downscaled(matched, app):
    helper, handoff = matched
    response = leave(helper, handoff, gps_tagged_jpeg())
    assert response.status_code == 302
    path = stored(handoff)
    assert os.path.dirname(path) == os.path.join(app.instance_path, "photos")
    raw = open(path, "rb").read()
    assert b"PhoneMaker" not in raw and b"Pocket Camera" not in raw and b"Exif" not in raw
    with Image.open(path) as image:
        assert image.format == "JPEG"
        assert len(image.getexif()) == 0 and not image.getexif().get_ifd(GPS_IFD)
        assert "exif" not in image.info and "xmp" not in image.info
        # Turned upright from the orientation tag, then scaled to at most 1600 px a side.
        assert image.size == (1200, 1600)


def test_random_file_name_not_the_residents(matched):
    helper, handoff = matched
    leave(helper, handoff, gps_tagged_jpeg((200, 100)), filename="my-flat-502.jpg")
    name = os.path.basename(stored(handoff))
    assert "502" not in name and "flat" not in name and len(name) > 30


@pytest.mark.parametrize("fmt,mimetype", [("PNG", "image/png"), ("WEBP", "image/webp")])
def test_png_and_webp_are_accepted(matched, fmt, mimetype, resident, make_client, login):
    helper, handoff = matched
    buffer = io.BytesIO()
    Image.new("RGBA", (50, 40), (1, 2, 3, 128)).save(buffer, fmt)
    # The name says .jpg: the content decides.
    assert leave(helper, handoff, buffer.getvalue(), filename="door.jpg").status_code == 302
    requester = login(make_client(), resident)
    response = requester.get(f"/handoffs/{handoff.id}/photo")
    assert response.status_code == 200 and response.mimetype == mimetype
    assert response.headers["Cache-Control"] == "no-store"


def test_not_an_image_is_a_clear_form_error(matched):
    helper, handoff = matched
    response = leave(helper, handoff, b"%PDF-1.4 this is not a picture", filename="door.jpg", note="kept note")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "not a photo" in html and "kept note" in html
    handoff = db.session.get(Handoff, handoff.id, populate_existing=True)
    assert handoff.status == "matched" and handoff.photo_name is None


def test_a_gif_is_refused_even_though_it_is_an_image(matched):
    helper, handoff = matched
    buffer = io.BytesIO()
    Image.new("P", (10, 10)).save(buffer, "GIF")
    response = leave(helper, handoff, buffer.getvalue(), filename="door.png")
    assert response.status_code == 200 and "not a photo" in response.get_data(as_text=True)


def test_a_small_png_declaring_9400_by_9400_pixels_is_refused_beside_the_field(matched, app):
    from tests import images

    helper, handoff = matched
    response = leave(helper, handoff, images.bomb_png(9400, 9400), filename="door.png", note="kept note")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "too large to process" in html and "kept note" in html
    assert db.session.get(Handoff, handoff.id, populate_existing=True).status == "matched"
    folder = os.path.join(app.instance_path, "photos")
    assert not os.path.isdir(folder) or os.listdir(folder) == []


def test_oversized_photo_is_the_413_page(matched, app):
    helper, handoff = matched
    too_big = b"\xff\xd8\xff" + b"\0" * (10 * 1024 * 1024 + 10)
    response = leave(helper, handoff, too_big)
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)
    assert db.session.get(Handoff, handoff.id, populate_existing=True).status == "matched"
    folder = os.path.join(app.instance_path, "photos")
    assert not os.path.isdir(folder) or os.listdir(folder) == []


def test_request_beyond_the_limit_is_the_413_page(matched):
    helper, handoff = matched
    response = leave(helper, handoff, b"\0" * (12 * 1024 * 1024))
    assert response.status_code == 413


def test_refused_move_stores_no_photo(matched, resident, make_client, login, app):
    _helper, handoff = matched
    requester = login(make_client(), resident)
    response = leave(requester, handoff, gps_tagged_jpeg((100, 100)))
    assert response.status_code == 403
    folder = os.path.join(app.instance_path, "photos")
    assert not os.path.isdir(folder) or os.listdir(folder) == []


def test_leave_without_photo(matched):
    helper, handoff = matched
    response = helper.post(f"/handoffs/{handoff.id}/leave", data={"note": "bag on the handle", "version": handoff.version})
    assert response.status_code == 302
    handoff = db.session.get(Handoff, handoff.id, populate_existing=True)
    assert handoff.photo_name is None and handoff.status == "left_at_door"
