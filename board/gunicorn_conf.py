"""Production server settings: `gunicorn -c board/gunicorn_conf.py`. Every value can be overridden
on the command line or with GUNICORN_CMD_ARGS.

gevent workers hold thousands of open live streams each (a sync or gthread worker holds one per
thread); PostgreSQL LISTEN/NOTIFY carries each change to every worker (see board/live/broker.py).
"""
import gc
import multiprocessing
import os

wsgi_app = "board:create_app()"
bind = os.environ.get("BOARD_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("BOARD_WORKERS", multiprocessing.cpu_count()))
worker_class = "gevent"
# Open connections a worker accepts: every viewer's stream is one (the app refuses streams past
# BOARD_LIVE_MAX_STREAMS, 4000, with a 503), plus room for ordinary requests. Past this a worker stops
# accepting and connections wait in the backlog, so it stays well above what the app itself refuses.
worker_connections = int(os.environ.get("BOARD_WORKER_CONNECTIONS", "5000"))
backlog = 4096
# For gevent workers this is the worker's heartbeat, not a limit on a request: streams may stay open.
timeout = 30
graceful_timeout = 10  # on restart, open streams end; browsers reconnect with Last-Event-ID
keepalive = 5
forwarded_allow_ips = os.environ.get("BOARD_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("BOARD_ACCESS_LOG")  # unset: no access log

# Python's full garbage collection stops the whole worker, its streams included: under bench/load.py
# it ran every 3-4 s for 120-250 ms, each time holding up every request in flight (and pushing the
# queue past ADMISSION_WAIT_SECONDS: a burst of 503s). What the app built at start (modules, templates,
# mappers: 170,000 objects) lives as long as the worker, so it is frozen out of the collections, and a
# full collection comes a fifth as often (the young generations still collect short-lived cycles).
GC_FULL_COLLECTION_EVERY = int(os.environ.get("BOARD_GC_FULL_COLLECTION_EVERY", "50"))  # Python's default: 10


def post_worker_init(_worker):
    gc.freeze()
    young, middle, _full = gc.get_threshold()
    gc.set_threshold(young, middle, GC_FULL_COLLECTION_EVERY)
