"""What the benchmarks share: a PostgreSQL database of their own, a free port, gunicorn started the
production way (board/gunicorn_conf.py). A leading underscore: bench/run.py does not run it."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def create_database(admin_url: str, prefix: str = "doorstep_bench") -> tuple[str, str]:
    """A new database next to `admin_url`'s: (its name, its URL)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"{prefix}_{os.getpid()}"
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return name, make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_database(admin_url: str, name: str) -> None:
    """Drop it, retrying for a while: right after a PostgreSQL restart (bench/load.py) the server may still start."""
    from sqlalchemy import create_engine, text

    for attempt in range(10):
        try:
            engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
            with engine.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            engine.dispose()
            return
        except Exception:  # noqa: BLE001 - retried, then reported
            time.sleep(1)
    print(f"could not drop database {name}; drop it by hand", file=sys.stderr)


def start_server(port: int, workers: int, env: dict, log, *, app: str | None = None,
                 ready_path: str = "/login") -> subprocess.Popen:
    """gunicorn with board/gunicorn_conf.py (gevent) on `port`; `app` replaces the board (a bare page)."""
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    command = [gunicorn, "-c", os.path.join(ROOT, "board", "gunicorn_conf.py"), "-b", f"127.0.0.1:{port}",
               "-w", str(workers)]
    process = subprocess.Popen(command + ([app] if app else []), cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=log)
    deadline = time.time() + 60
    while time.time() < deadline:
        if process.poll() is not None:
            log.seek(0)
            raise SystemExit("gunicorn did not start:\n" + log.read().decode())
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(f"GET {ready_path} HTTP/1.0\r\nHost: bench\r\n\r\n".encode())
                if s.recv(64).split(b"\r\n", 1)[0].endswith(b" 200 OK"):
                    return process
        except OSError:
            pass  # not listening yet
        time.sleep(0.2)
    raise SystemExit("gunicorn did not answer within 60 s")


def stop_server(process: subprocess.Popen | None) -> None:
    import signal

    if process is None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
