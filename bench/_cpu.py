"""Where a page's time goes, in-process: CPU ms per request, and optionally a pyinstrument profile.

    .venv/bin/python bench/_cpu.py                      # the board, a card page with its history, /offline
    .venv/bin/python bench/_cpu.py / /cards/CARD        # CARD: the seeded card with a history
    PROFILE=1 .venv/bin/python bench/_cpu.py /          # + a profile of the first path (pip install pyinstrument)

Seeds what bench/http.py seeds (2,000 open cards, one card with its history) in a PostgreSQL database
of its own, logs its author in through the test client and times each path with time.process_time, so
the figure is this process's CPU only (PostgreSQL's work is not in it) and holds on a busy machine better
than wall time does. It answers "what does this page cost compared with the cheapest logged-in page"
before bench/http.py says whether the ratio to a bare page moved. A leading underscore: bench/run.py
skips it (it is a tool for working on speed, not a figure for the README).
"""
from __future__ import annotations

import importlib.util
import os
import re
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != HERE]
sys.path.insert(0, ROOT)

from bench._server import create_database, drop_database  # noqa: E402

ADMIN = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def _bench_http():
    """bench/http.py's seed and password (its name would shadow the standard library's http)."""
    spec = importlib.util.spec_from_file_location("bench_http", os.path.join(HERE, "http.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    from board import create_app
    from board.extensions import db

    bench_http = _bench_http()
    name, url = create_database(ADMIN, "doorstep_bench_cpu")
    app = None
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "cpu-bench-" * 4, "BOARD_PAGE_SIZE": 50})
        login, card_id = bench_http.seed(app, 2000)
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        client.post("/login", data={"csrf_token": token, "login": login, "password": bench_http.PASSWORD})
        paths = [p.replace("CARD", str(card_id)) for p in (sys.argv[1:] or ["/", "/cards/CARD", "/offline"])]
        for path in paths:
            status = client.get(path).status_code
            if status != 200:
                raise SystemExit(f"{path} answered {status}")
            for _ in range(30):  # warm: templates compiled, cached cards drawn
                client.get(path)
            runs = []
            for _ in range(5):  # the least of 5 runs of 200: the page's cost with the least else in the way
                started = time.process_time()
                for _ in range(200):
                    client.get(path)
                runs.append((time.process_time() - started) / 200 * 1000)
            runs.sort()
            print(f"{path}: {runs[0]:.2f} ms CPU a request (median of 5 runs {runs[2]:.2f})", flush=True)
        if os.environ.get("PROFILE"):
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0002)
            profiler.start()
            for _ in range(300):
                client.get(paths[0])
            profiler.stop()
            print(profiler.output_text(unicode=False, color=False))
    finally:  # the database is dropped even when the app could not start
        if app is not None:
            with app.app_context():
                db.engine.dispose()
        drop_database(ADMIN, name)


if __name__ == "__main__":
    main()
