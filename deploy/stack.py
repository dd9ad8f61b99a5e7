"""The production stack on this machine, for tests and benchmarks: gunicorn with board/gunicorn_conf.py
and nginx with deploy/nginx.conf, unprivileged, on free loopback ports, logs in a folder of their own."""
from __future__ import annotations

import getpass
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

from deploy import nginx as nginx_config

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, process: subprocess.Popen, log_path: str, *, path: str = "/login", timeout: float = 60) -> None:
    """Until `GET path` on the port answers 200; a process that exits meanwhile is an error with its log."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited:\n{tail(log_path)}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
                s.sendall(f"GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".encode())
                if s.recv(64).split(b"\r\n", 1)[0].endswith(b" 200 OK"):
                    return
        except OSError:
            pass  # not listening yet
        time.sleep(0.1)
    raise RuntimeError(f"nothing answered on port {port} within {timeout} s:\n{tail(log_path)}")


def tail(path: str, size: int = 4000) -> str:
    try:
        with open(path, "rb") as f:
            return f.read()[-size:].decode(errors="replace")
    except OSError:
        return ""


def gunicorn(port: int, env: dict, log_path: str, *, workers: int = 1, wait: bool = True) -> subprocess.Popen:
    """gunicorn as the README runs it (board/gunicorn_conf.py), on 127.0.0.1:port."""
    binary = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    log = open(log_path, "ab")
    process = subprocess.Popen(
        [binary, "-c", os.path.join(ROOT, "board", "gunicorn_conf.py"), "-b", f"127.0.0.1:{port}", "-w", str(workers)],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    log.close()
    if wait:
        wait_for(port, process, log_path)
    return process


def nginx_main(prefix: str, site: str, *, http_extra: str = "") -> str:
    """What Debian's /etc/nginx/nginx.conf provides around the site config, for an unprivileged run
    under `prefix`: one worker, logs and temporary files in the prefix, mime types."""
    temp = os.path.join(prefix, "tmp")
    paths = "\n".join(f"    {kind}_temp_path {temp}/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return f"""user {getpass.getuser()};
worker_processes 1;
error_log {prefix}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {prefix}/access.log;
{paths}
{http_extra}
    include {site};
}}
"""


def nginx(prefix: str, *, port: int, apps: list[str], http_extra: str = "", wait_path: str = "/login") -> subprocess.Popen:
    """nginx in the foreground with deploy/nginx.conf (rendered by deploy.nginx) in front of `apps`."""
    if NGINX is None:
        raise RuntimeError("nginx is not installed (apt-get install -y nginx)")
    os.makedirs(os.path.join(prefix, "tmp"), exist_ok=True)
    site = os.path.join(prefix, "doorstep.conf")
    with open(site, "w", encoding="utf-8") as f:
        f.write(nginx_config.render(listen=f"127.0.0.1:{port}", apps=apps))
    main = os.path.join(prefix, "nginx.conf")
    with open(main, "w", encoding="utf-8") as f:
        f.write(nginx_main(prefix, site, http_extra=http_extra))
    log_path = os.path.join(prefix, "nginx.out")
    log = open(log_path, "ab")
    process = subprocess.Popen(
        [NGINX, "-p", prefix, "-c", main, "-e", f"{prefix}/error.log", "-g", f"daemon off; pid {prefix}/nginx.pid;"],
        stdout=log, stderr=subprocess.STDOUT,
    )
    log.close()
    wait_for(port, process, os.path.join(prefix, "error.log"), path=wait_path)
    return process


def stop(*processes: subprocess.Popen | None, timeout: float = 15) -> None:
    """SIGINT to each at once: a quick shutdown for gunicorn and nginx alike (SIGTERM would let
    gunicorn wait graceful_timeout for open streams); SIGKILL after `timeout`."""
    running = [p for p in processes if p is not None and p.poll() is None]
    for process in running:
        process.send_signal(signal.SIGINT)
    deadline = time.monotonic() + timeout
    for process in running:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
