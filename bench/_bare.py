"""The reference for bench/http.py: a bare Flask + Jinja page of 50 cards, no database, no login.

Served by gunicorn with board/gunicorn_conf.py like the board, so that the ratio measures what the
board does on top of Flask and Jinja, not the server. A leading underscore: bench/run.py skips it.
"""
from datetime import datetime, timedelta

from flask import Flask, render_template
from jinja2 import DictLoader

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Board</title></head>
<body><main>
<section id="card-list">
{% for card in cards %}
<article id="card-{{ card.id }}" class="card kind-{{ card.kind }}" data-category="{{ card.category }}">
  <p class="card-meta"><span class="badge kind">{{ card.kind }}</span> <span class="badge">{{ card.category }}</span></p>
  <h2 class="card-title"><a href="{{ url_for('card', card_id=card.id) }}">{{ card.title }}</a></h2>
  <p class="card-where">{{ card.building }} · <time datetime="{{ card.created_at.isoformat() }}">{{ card.created_at.strftime("%H:%M") }}</time></p>
  {% if card.tags %}<ul class="tags">{% for tag in card.tags %}<li>{{ tag }}</li>{% endfor %}</ul>{% endif %}
</article>
{% endfor %}
</section>
</main></body></html>
"""

NOW = datetime(2026, 12, 1, 12, 0)
CARDS = [
    {"id": n, "kind": ("need", "offer")[n % 2], "category": ("medicine", "food", "supplies")[n % 3],
     "title": f"Card number {n}", "building": f"Building {n % 3 + 1}", "created_at": NOW - timedelta(minutes=n),
     "tags": ["For a child"] if n % 4 == 0 else []}
    for n in range(50)
]

app = Flask(__name__)
# Templates from a loader, as the board's are: Jinja compiles each once and caches it (render_template_string
# would compile the page on every request and make the reference slower than Flask and Jinja are).
app.jinja_loader = DictLoader({"board.html": PAGE, "card.html": "<p>{{ card_id }}</p>"})


@app.get("/")
def board():
    """50 cards from a list: what Flask and Jinja cost on their own."""
    return render_template("board.html", cards=CARDS)


@app.get("/cards/<int:card_id>")
def card(card_id: int):
    return render_template("card.html", card_id=card_id)
