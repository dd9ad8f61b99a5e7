"""Static files carry a content hash in their address and are then cached for a year."""
import hashlib
import re

from board import assets


def test_static_addresses_carry_the_content_hash(app, client):
    page = client.get("/login").get_data(as_text=True)
    addresses = re.findall(r'(?:src|href)="(/static/[^"]+)"', page)
    assert addresses
    for address in addresses:
        path, version = re.fullmatch(r"/static/([^?]+)\?v=([0-9a-f]{10})", address).groups()
        with open(f"{app.static_folder}/{path}", "rb") as f:
            assert version == hashlib.sha256(f.read()).hexdigest()[:10], address


def test_a_changed_file_gets_a_new_address(app, tmp_path):
    app.static_folder = str(tmp_path)
    (tmp_path / "x.css").write_text("a{}")
    with app.test_request_context():
        first = assets.version("x.css")
        (tmp_path / "x.css").write_text("a{color:red}")
        second = assets.version("x.css")
        assert first and second and first != second
        assert assets.version("missing.css") is None


def test_a_versioned_address_is_cached_for_a_year_an_unversioned_one_is_not(app, client):
    with app.test_request_context():
        version = assets.version("css/board.css")
    versioned = client.get(f"/static/css/board.css?v={version}")
    assert versioned.status_code == 200
    assert versioned.cache_control.max_age == assets.YEAR and versioned.cache_control.immutable
    versioned.close()
    for address in ("/static/css/board.css", "/static/css/board.css?v=0123456789"):
        plain = client.get(address)
        assert plain.status_code == 200 and not plain.cache_control.max_age, address
        plain.close()
