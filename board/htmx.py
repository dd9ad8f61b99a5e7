"""The few things every htmx-aware view needs, so that no view repeats them."""
import json

from flask import Flask, Response, get_flashed_messages, render_template, request, session


def is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


def targets(element_id: str) -> bool:
    """True when an htmx request asks for just this element (e.g. the card list, not the page)."""
    return is_htmx() and request.headers.get("HX-Target") == element_id


def page_or_partial(page: str, partial: str, element_id: str, **context) -> str:
    """Render the fragment when htmx targets it, the whole page otherwise: one view, both uses."""
    return render_template(partial if targets(element_id) else page, **context)


def _after_request(response: Response) -> Response:
    # A fragment and a page share a URL: caches must keep them apart.
    response.vary.add("HX-Request")
    if not is_htmx():
        return response
    if response.status_code in (301, 302, 303) and response.location:
        # htmx would silently follow a redirect and swap the next page into a small target.
        location = response.location
        response = Response(status=204)
        response.headers["HX-Location"] = json.dumps({"path": location, "target": "body"})
        response.vary.add("HX-Request")
        return response
    if response.mimetype != "text/html":
        return response
    if session.get("_flashes") and response.status_code < 300:
        # Deliver pending flash messages with the fragment, swapped out of band into #messages.
        response.direct_passthrough = False
        oob = render_template("_messages.html", oob=True, messages=get_flashed_messages(with_categories=True))
        response.set_data(response.get_data(as_text=True) + oob)
    elif response.status_code >= 400 and "HX-Retarget" not in response.headers:
        # A refusal shown in place (beside its button) clears the last success ("You took 1 box") above it;
        # one retargeted into #messages replaces it anyway.
        response.direct_passthrough = False
        oob = render_template("_messages.html", oob=True, messages=[])
        response.set_data(response.get_data(as_text=True) + oob)
    return response


def init_app(app: Flask) -> None:
    app.after_request(_after_request)
