"""The manifest, the service worker and the offline page, as the server sends them."""
import json

from PIL import Image

from board.pwa import ICONS


def test_the_manifest_names_the_app_in_the_readers_language(client):
    zh = json.loads(client.get("/manifest.webmanifest", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True))
    en = client.get("/manifest.webmanifest", headers={"Accept-Language": "en"})
    assert en.mimetype == "application/manifest+json" and "Accept-Language" in en.headers["Vary"]
    en = en.get_json(force=True)
    assert (zh["short_name"], zh["lang"]) == ("邻里门把手", "zh-CN") and (en["short_name"], en["lang"]) == ("Doorstep", "en")
    assert en["start_url"] == "/" and en["display"] == "standalone" and en["theme_color"] == "#9a3412"


def test_the_icons_are_real_pngs_of_the_sizes_the_manifest_says(app, client):
    for icon, size, _purpose in ICONS:
        response = client.get(f"/static/{icon}")
        assert response.status_code == 200
        with Image.open(app.static_folder + "/" + icon) as image:
            assert image.format == "PNG" and "x".join(map(str, image.size)) == size


def test_the_worker_keeps_static_files_and_the_offline_page_only(client):
    response = client.get("/sw.js")
    script = response.get_data(as_text=True)
    assert response.mimetype == "text/javascript" and response.headers["Cache-Control"] == "no-cache"
    assert '"/offline"' in script and "/static/css/board.css?v=" in script
    assert 'credentials: "omit"' in script, "the offline page is fetched without the resident's cookies"
    assert "no-store" in script and '"/live"' in script


def test_the_offline_page_is_the_same_for_everyone(client, resident, login):
    visitor = client.get("/offline").get_data(as_text=True)
    login(client, resident)
    assert client.get("/offline").get_data(as_text=True) == visitor
    assert "没有网络" in visitor and "No connection" in visitor and resident.display_name not in visitor


def test_every_page_links_the_manifest_and_the_worker(client):
    page = client.get("/").get_data(as_text=True)
    assert 'rel="manifest" href="/manifest.webmanifest"' in page and 'name="doorstep-sw" content="/sw.js"' in page
