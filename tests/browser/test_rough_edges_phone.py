"""Rough edges seen on a phone: the post form for a need, its quantity and unit in line, a tappable Filters toggle."""
from tests import factories


def test_the_post_form_fits_what_is_posted(console, live_server, browser_login, resident):
    page = console(width=360, height=780)
    browser_login(page, resident)
    page.goto(live_server + "/cards/new")
    page.check("input[name=kind][value=need]")
    assert not page.is_visible("input[name=first_come]") and not page.is_visible("input[name=medicine_expires_on]")
    page.check("input[name=kind][value=offer]")
    assert page.is_visible("input[name=first_come]") and page.is_visible("input[name=medicine_expires_on]")
    quantity, unit = (page.locator(f"input[name={n}]").bounding_box() for n in ("quantity", "unit"))
    assert abs(quantity["y"] - unit["y"]) < 1 and abs(quantity["height"] - unit["height"]) < 1
    assert page.errors == []


def test_the_filters_toggle_looks_like_something_to_tap(console, live_server, browser_login, resident):
    page = console(width=360, height=780)
    browser_login(page, resident)
    style = page.evaluate("(() => { const s = getComputedStyle(document.querySelector('.more-filters summary')); return [s.borderTopWidth, s.borderTopStyle]; })()")
    assert style[0] != "0px" and style[1] == "solid"
    page.click(".more-filters summary")
    assert page.is_visible("select[name=kind]")
