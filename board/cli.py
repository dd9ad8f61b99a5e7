"""Commands: `flask --app board seed-demo` and `flask --app board sweep`."""
import click
from flask import Flask

from board import demo, registry


def init_app(app: Flask) -> None:
    @app.cli.command("seed-demo")
    def seed_demo():
        """Seed the demo community when the database is empty; print the demo logins either way."""
        if demo.is_empty():
            try:
                demo.seed()
            except Exception:
                demo.remove()  # half a demo would never be seeded again: take it back whole
                raise
            click.echo("Seeded the demo community.")
        click.echo(demo.describe())

    @app.cli.command("sweep")
    def sweep():
        """Every time-based move: lapsed matches, unconfirmed doorsteps, reservations, cards past their time (cron)."""
        for line in registry.sweep():
            click.echo(line)
