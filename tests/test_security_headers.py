"""A strict Content-Security-Policy on every response, and nothing inline that it would have to allow."""
import re
from pathlib import Path

import pytest

from tests import factories

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = sorted((ROOT / "templates").rglob("*.html"))

INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I)
STYLE_ELEMENT = re.compile(r"<style\b", re.I)
EVENT_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
JAVASCRIPT_URL = re.compile(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", re.I)
REMOTE_ASSET = re.compile(r"""<(script|link|img)\b[^>]*(src|href)=["'](https?:)?//""", re.I)


def policy(response) -> dict[str, str]:
    header = response.headers["Content-Security-Policy"]
    return {part.split()[0]: " ".join(part.split()[1:]) for part in header.split(";") if part.strip()}


def assert_strict(response):
    csp = policy(response)
    assert csp["default-src"] == "'self'"
    assert csp["script-src"] == "'self'" and csp["style-src"] == "'self'"
    assert csp["object-src"] == "'none'" and csp["frame-ancestors"] == "'none'"
    assert csp["base-uri"] == "'self'" and csp["form-action"] == "'self'"
    header = response.headers["Content-Security-Policy"]
    for loose in ("unsafe-inline", "unsafe-eval", "unsafe-hashes", "*", "data: ", "http:", "https:"):
        assert loose not in header.replace("img-src 'self' data:", ""), loose
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"


def assert_nothing_inline(body: str, where: str):
    for name, pattern in [("inline <script>", INLINE_SCRIPT), ("style= attribute", STYLE_ATTRIBUTE),
                          ("<style> element", STYLE_ELEMENT), ("on…= handler", EVENT_HANDLER),
                          ("javascript: URL", JAVASCRIPT_URL), ("remote asset (CDN)", REMOTE_ASSET)]:
        match = pattern.search(body)
        assert match is None, f"{name} in {where}: {match.group(0)[:120] if match else ''}"


@pytest.fixture
def pages(client, resident, coordinator, login):
    """Every kind of page and fragment a resident or visitor can get."""
    card = factories.card(resident, title="Fever medicine", details="details", for_child=True)
    visitor = [("welcome", "/", {}), ("login", "/login", {}), ("invite", "/register", {}),
               ("register", "/register?code=JOIN1234", {}), ("visitor 404", "/nope", {})]
    resident_pages = [
        ("board", "/", {}), ("board fragment", "/", {"HX-Request": "true", "HX-Target": "card-list"}),
        ("filtered board", "/?kind=need&urgent=1&q=fever", {}), ("card", f"/cards/{card.id}", {}),
        ("card fragment", f"/cards/{card.id}", {"HX-Request": "true", "HX-Target": f"card-{card.id}"}),
        ("post form", "/cards/new", {}), ("edit form", f"/cards/{card.id}/edit", {}), ("profile", "/profile", {}),
        ("password", "/password", {}), ("404", "/cards/99999", {}), ("403", "/community/invite", {}),
        ("405", "/logout", {}), ("htmx 404", "/cards/99999", {"HX-Request": "true"}),
        ("static css", "/static/css/board.css", {}),
    ]
    coordinator_pages = [("invite sheet", "/community/invite", {})]
    responses = [(name, client.get(path, headers=headers)) for name, path, headers in visitor]
    login(client, resident)
    responses += [(name, client.get(path, headers=headers)) for name, path, headers in resident_pages]
    responses.append(("form with errors", client.post("/cards/new", data={"title": ""})))
    client.post("/logout")
    login(client, coordinator)
    responses += [(name, client.get(path, headers=headers)) for name, path, headers in coordinator_pages]
    return responses


def test_every_response_has_the_strict_policy(pages):
    assert len(pages) >= 20
    for name, response in pages:
        assert "Content-Security-Policy" in response.headers, name
        assert_strict(response)


def test_no_rendered_page_has_inline_script_or_style(pages):
    for name, response in pages:
        if response.mimetype == "text/html":
            assert_nothing_inline(response.get_data(as_text=True), name)


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT / "templates")))
def test_no_template_has_inline_script_or_style(template):
    source = re.sub(r"\{#.*?#\}", "", template.read_text(encoding="utf-8"), flags=re.S)  # comments never render
    assert_nothing_inline(source, str(template))


def test_scripts_are_our_own_files_with_htmx_2_and_no_other_framework(pages):
    scripts = set()
    for _name, response in pages:
        if response.mimetype == "text/html":
            found = re.findall(r'<script\b[^>]*\bsrc="([^"]+)"', response.get_data(as_text=True))
            scripts |= {src.split("?v=")[0] for src in found}  # static addresses carry their version
    assert "/static/vendor/htmx-2.0.11.min.js" in scripts
    assert all(s.startswith("/static/") for s in scripts), scripts
    frameworks = re.compile(r"react|vue|angular|alpine|jquery|svelte|preact|lit|stimulus|hyperscript", re.I)
    assert not [s for s in scripts if frameworks.search(s)], scripts


def test_htmx_is_vendored_not_fetched(client):
    vendored = sorted(p.name for p in (ROOT / "static/vendor").glob("htmx-2.*.min.js"))
    assert vendored, "static/vendor/htmx-2.x.min.js"
    response = client.get(f"/static/vendor/{vendored[0]}")
    assert response.status_code == 200 and b"htmx" in response.data[:2000]
    response.close()


def test_htmx_is_configured_for_the_strict_policy(client):
    page = client.get("/").get_data(as_text=True)
    config = re.search(r"<meta name=\"htmx-config\" content='([^']+)'>", page).group(1)
    assert '"includeIndicatorStyles":false' in config and '"allowEval":false' in config


def test_the_board_page_is_light(client, resident, login):
    """Slow networks: the HTML, CSS and JavaScript of a board of 20 cards stay under 120 kB."""
    for i in range(25):
        factories.card(resident, title=f"Card number {i} with an ordinary title", for_child=i % 2 == 0)
    login(client, resident)
    page = client.get("/")
    total = len(page.data)
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', page.get_data(as_text=True)):
        response = client.get(asset)
        total += len(response.data)
        response.close()
    assert total < 120_000, total


def test_session_cookie_is_http_only_and_same_site(client, resident, login):
    login(client, resident)
    cookie = client.get_cookie("session")
    assert cookie.http_only and cookie.same_site == "Lax"


@pytest.mark.parametrize("method, path, data", [
    ("get", "/?q=a%00b", None),
    ("post", "/cards/new", {"kind": "need", "category": "food", "title": "ri\x00ce", "urgency": "normal"}),
    ("post", "/profile", {"display_name": "a\x00b", "building": "1", "unit": "50", "locale": ""}),
])
def test_a_nul_character_is_a_friendly_400_on_every_database(client, resident, login, method, path, data):
    """PostgreSQL refuses U+0000 in text; without a guard each of these was a 500."""
    login(client, resident)
    response = getattr(client, method)(path, data=data)
    assert response.status_code == 400
    assert "Something in that request was not right" in response.get_data(as_text=True)


@pytest.mark.parametrize("path, data", [
    ("/login", {"login": "li\x00na", "password": "x"}),
    ("/register?code=AB%00C", None),
])
def test_a_nul_character_from_a_visitor_is_a_400(client, resident, path, data):
    response = client.post(path, data=data) if data else client.get(path)
    assert response.status_code == 400
