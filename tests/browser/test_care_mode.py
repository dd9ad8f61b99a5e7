"""Every page, both languages, both modes, in a real browser at 360 × 780: the care-mode figures
(24 px text, line height 1.3, 60 × 60 targets, contrast 4.5:1 or 3:1 above 24 px), the header at most
12 % of the screen, the bottom bar, and axe. One browser context per language and mode keeps it quick."""
import json
import os

import pytest

from board.extensions import db
from board.models import User
from tests import factories

AXE = os.path.join(os.path.dirname(__file__), "vendor", "axe-4.14.1.min.js")
WIDTH, HEIGHT = 360, 780

# Run in the page with the figures to hold; returns what a reader would trip over.
FIGURES = """
(f) => {
  const problems = [];
  const visible = (el) => {
    const r = el.getBoundingClientRect(); const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none'
      && r.right > 0 && r.bottom > 0 && r.left < window.innerWidth;
  };
  const name = (el) => el.tagName.toLowerCase() + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '') + ' "' + (el.textContent || el.value || '').trim().slice(0, 30) + '"';
  const rgba = (c) => { const m = c.match(/[\\d.]+/g).map(Number); return {r: m[0], g: m[1], b: m[2], a: m.length > 3 ? m[3] : 1}; };
  const lum = ({r, g, b}) => { const ch = [r, g, b].map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }); return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2]; };
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) { const c = rgba(getComputedStyle(e).backgroundColor); if (c.a >= 0.99) return c; }
    return {r: 255, g: 255, b: 255, a: 1};
  };
  for (const el of document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary')) {
    if (!visible(el)) continue;
    let target = el;
    if (el.matches('input[type=checkbox], input[type=radio]')) target = el.closest('label') || el;
    const r = target.getBoundingClientRect();
    if (r.height < f.target || (f.care && r.width < f.target)) problems.push(`target ${Math.round(r.width)}×${Math.round(r.height)}: ${name(el)}`);
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    if (!walker.currentNode.textContent.trim() || seen.has(el) || !visible(el)) continue;
    seen.add(el);
    const s = getComputedStyle(el);
    const size = parseFloat(s.fontSize);
    if (size < f.font) problems.push(`text ${size}px: ${name(el)}`);
    if (f.care) {
      const line = s.lineHeight === 'normal' ? 1.2 * size : parseFloat(s.lineHeight);
      if (line / size < 1.3) problems.push(`line height ${(line / size).toFixed(2)}: ${name(el)}`);
    }
    const fg = rgba(s.color), bg = background(el);
    const a = fg.a, mixed = {r: fg.r * a + bg.r * (1 - a), g: fg.g * a + bg.g * (1 - a), b: fg.b * a + bg.b * (1 - a)};
    const [l1, l2] = [lum(mixed), lum(bg)].sort((x, y) => y - x);
    const ratio = (l1 + 0.05) / (l2 + 0.05);
    const needed = size > 24 ? 3 : 4.5;
    if (ratio < needed) problems.push(`contrast ${ratio.toFixed(2)} < ${needed}: ${name(el)}`);
  }
  const header = document.querySelector('header.top').getBoundingClientRect().height;
  if (header > 0.12 * window.innerHeight) problems.push(`header ${Math.round(header)}px > 12% of ${window.innerHeight}`);
  if (getComputedStyle(document.querySelector('header.top')).position !== 'static' && f.care) problems.push('sticky header in care mode');
  const bar = document.querySelector('nav.tabbar');
  if (f.resident) {
    if (!bar) problems.push('no bottom bar');
    else {
      const r = bar.getBoundingClientRect();
      if (Math.abs(r.bottom - window.innerHeight) > 1) problems.push(`bottom bar ends at ${r.bottom}`);
      if (bar.querySelectorAll('a[href]').length !== 6) problems.push('bottom bar has not the six places');
      // Six places, six names: "Mine" and "Me" were both 我的 in Chinese.
      const names = [...bar.querySelectorAll('a[href]')].map(a => a.getAttribute('aria-label') || a.textContent.trim());
      if (new Set(names).size !== names.length) problems.push(`bottom bar names twice: ${names.join(' | ')}`);
      // Each label inside its own place: a label wider than its sixth of 360 px ran into the next one.
      for (const a of bar.querySelectorAll('a[href]'))
        if (a.scrollWidth > a.clientWidth + 1) problems.push(`bottom bar label ${a.scrollWidth}px in a ${a.clientWidth}px place: "${a.textContent.trim()}"`);
    }
  }
  if (document.documentElement.scrollWidth > window.innerWidth) problems.push(`page ${document.documentElement.scrollWidth}px wide`);
  return problems;
}
"""
AXE_RUN = "async () => (await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a','wcag2aa','wcag21aa','wcag22aa']}})).violations.map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', '))"


@pytest.fixture
def everything(app, community, coordinator, resident, neighbour):
    """A community where every page has something on it: cards in each state, a handoff, a shelf and its queues."""
    from board.box import service as box

    need = factories.card(resident, title="Fever medicine for a child", urgency="urgent", for_child=True, quantity=1, unit="box")
    offer = factories.card(neighbour, kind="offer", category="food", title="Vegetables", quantity=3, unit="bag")
    from board.cards import handoffs

    handoffs.offer_help(need, coordinator)
    shelf = factories.shelf(community, keepers=(coordinator,))
    item = factories.box_item(shelf, name="Ibuprofen", quantity=5)
    box.take(resident, item.id, 1)
    box.offer_gift(neighbour, shelf, name="Noodles", category="food", quantity=2, unit="pack")
    from tests.points_helpers import give_points, merchant_with_gift

    merchant_with_gift(community, price=30, stock=3)
    give_points(coordinator, coordinator, 40)  # a line on the record, a gift to redeem
    return {"need": need.id, "offer": offer.id, "shelf": shelf.id, "item": item.id}


VISITOR_PAGES = ["/", "/login", "/register", "/register?code=JOIN1234"]


def resident_pages(ids):
    return ["/", f"/cards/{ids['need']}", f"/cards/{ids['offer']}", "/cards/new", "/profile", "/me/activity",
            "/notifications/", "/box/", f"/box/shelves/{ids['shelf']}", f"/box/items/{ids['item']}",
            f"/box/shelves/{ids['shelf']}/give", f"/box/shelves/{ids['shelf']}/check-in",
            f"/box/shelves/{ids['shelf']}/register", "/box/mine", "/community/invite",
            "/points/", "/points/record", "/points/certificate", "/points/community", "/numbers/",
            "/numbers/?period=all"]


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_every_page_meets_the_figures_in_both_modes(contexts, live_server, browser_login, everything, coordinator, lang):
    with open(AXE, encoding="utf-8") as f:
        axe = f.read()
    problems = []
    for care in (0, 1):
        figures = {"font": 24 if care else 16, "target": 60 if care else 44, "care": bool(care), "resident": False}
        context = contexts(bypass_csp=True, viewport={"width": WIDTH, "height": HEIGHT},
                           locale="zh-CN" if lang == "zh_CN" else "en-GB")
        context.add_cookies([{"name": "care", "value": str(care), "url": live_server}])
        page = context.new_page()
        page.set_default_timeout(10_000)
        user = db.session.get(User, coordinator.id)
        user.care_level, user.locale = care, lang
        db.session.commit()

        def check(path):
            response = page.goto(live_server + path)
            assert response.status == 200, path
            found = page.evaluate(FIGURES, figures)
            page.add_script_tag(content=axe)
            found += [f"axe {v}" for v in page.evaluate(AXE_RUN)]
            problems.extend(f"{lang} care={care} {path}: {p}" for p in found)

        for path in VISITOR_PAGES:
            check(path)
        browser_login(page, coordinator)
        figures["resident"] = True
        for path in resident_pages(everything):
            check(path)
        context.close()
    assert problems == [], "\n".join(problems)


def test_text_grows_to_40_px_and_still_fits(contexts, live_server, browser_login, everything, coordinator):
    context = contexts(viewport={"width": WIDTH, "height": HEIGHT})
    page = context.new_page()
    browser_login(page, coordinator)
    page.goto(live_server + "/profile")
    page.click("header .care-switch button.care-on")  # the footer offers the sizes once care mode is on
    page.click("footer .care-size-3")
    for path in ("/", f"/cards/{everything['need']}", f"/box/items/{everything['item']}"):
        page.goto(live_server + path)
        assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") == 40, path
        found = page.evaluate(FIGURES, {"font": 24, "target": 60, "care": True, "resident": True})
        assert found == [], f"{path}:\n" + "\n".join(found)
    db.session.expire_all()
    assert db.session.get(User, coordinator.id).care_level == 3
