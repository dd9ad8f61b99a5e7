"""Fill in deploy/nginx.conf: `python -m deploy.nginx --listen 80 --app 10.0.0.1:8000 --app 10.0.0.2:8000`.

The one function the test (tests/test_nginx.py) and the README's production recipe both use, so the
config that runs in production is the one that was tested.
"""
import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TEMPLATE = os.path.join(HERE, "nginx.conf")
STATIC_ROOT = os.path.join(os.path.dirname(HERE), "static")


def render(*, listen: str, apps: list[str], static_root: str = STATIC_ROOT, server_name: str = "_") -> str:
    """deploy/nginx.conf with its @…@ values: one upstream line per gunicorn address in `apps`."""
    if not apps:
        raise ValueError("at least one gunicorn address")
    with open(TEMPLATE, encoding="utf-8") as f:
        template = f.read()
    lines = []
    for line in template.splitlines(keepends=True):
        if "@APP@" in line:
            lines.extend(line.replace("@APP@", app) for app in apps)
        else:
            lines.append(line)
    text = "".join(lines)
    for name, value in {"@LISTEN@": listen, "@SERVER_NAME@": server_name, "@STATIC_ROOT@": static_root.rstrip("/")}.items():
        text = text.replace(name, value)
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--listen", default="80", help="nginx's listen value (default 80)")
    parser.add_argument("--app", action="append", required=True, help="a gunicorn address; repeat for each")
    parser.add_argument("--static-root", default=STATIC_ROOT, help="the static/ folder (default: this checkout's)")
    parser.add_argument("--server-name", default="_", help="nginx's server_name (default _)")
    args = parser.parse_args(argv)
    sys.stdout.write(render(listen=args.listen, apps=args.app, static_root=args.static_root, server_name=args.server_name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
