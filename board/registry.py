"""What each domain plugs into the shared machinery, so that a new domain touches only its own folder.

A domain (cards, box; later errands, care, points) registers in its own init_app the event kinds it
owns (by prefix), which of them notify someone and with which headline, who hears of them, how its
events that show no card look on the live stream, and its time-based jobs. Notifications, the live
renderer and `flask --app board sweep` ask the registry of the current app and import no domain.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app

from board.models import Event

Recipients = Callable[[Event], set[int]]
LiveFragments = Callable[[Event, set[str]], dict[str, str]]


@dataclass(frozen=True)
class SweepJob:
    """One time-based move for the sweep: `run()` returns how many things it moved."""

    label: str  # a line for the log: "<label>: <count>"
    run: Callable[[], int]
    # The sweep runs jobs by this number: a domain's own time-outs (a box reservation's) come before
    # the general end of a card's time (90), so the card ends with the more specific reason.
    order: int = 50


@dataclass(frozen=True)
class Domain:
    name: str
    prefixes: tuple[str, ...]  # the event kinds it owns: "box." owns "box.take"
    notifications: Mapping[str, str] = field(default_factory=dict)  # event kind -> notification kind
    headlines: Mapping[str, Any] = field(default_factory=dict)  # notification kind -> (lazy) headline
    recipients: Recipients | None = None  # who hears of its notifying events (never the actor: see below)
    live_fragments: LiveFragments | None = None  # its events on the live stream, one fragment per language
    sweep: tuple[SweepJob, ...] = ()


class Registry:
    """The domains of one app. Filled once at start-up, read on every event."""

    def __init__(self) -> None:
        self.domains: dict[str, Domain] = {}
        self.headlines: dict[str, Any] = {}
        self._by_prefix: list[tuple[str, Domain]] = []

    def add(self, domain: Domain) -> None:
        self.domains[domain.name] = domain  # registering a domain again replaces it (an app set up twice)
        self.headlines = {k: v for d in self.domains.values() for k, v in d.headlines.items()}
        prefixes = [(prefix, d) for d in self.domains.values() for prefix in d.prefixes]
        self._by_prefix = sorted(prefixes, key=lambda pair: -len(pair[0]))  # the longest prefix wins

    def owner(self, kind: str) -> Domain | None:
        return next((domain for prefix, domain in self._by_prefix if kind.startswith(prefix)), None)

    def notification_kind(self, event_kind: str) -> str | None:
        """The notification an event kind calls for, or None when it notifies nobody."""
        domain = self.owner(event_kind)
        return domain.notifications.get(event_kind) if domain is not None else None

    def recipients(self, event: Event) -> set[int]:
        """Who hears of the event, as its domain says; the actor is never notified of their own move."""
        domain = self.owner(event.kind)
        if domain is None or domain.recipients is None:
            return set()
        return {int(p) for p in domain.recipients(event) if p is not None} - {event.actor_id}

    def live_fragments(self, event: Event) -> LiveFragments | None:
        domain = self.owner(event.kind)
        return domain.live_fragments if domain is not None else None

    def sweep_jobs(self) -> list[SweepJob]:
        jobs = [job for domain in self.domains.values() for job in domain.sweep]
        return sorted(jobs, key=lambda job: job.order)


def sweep() -> list[str]:
    """Every domain's time-based moves (`flask --app board sweep`, from cron), with a line a job for the log."""
    return [f"{job.label}: {job.run()}" for job in current().sweep_jobs()]


def register(app: Flask, domain: Domain) -> None:
    """Called from a domain's init_app."""
    app.extensions.setdefault("doorstep.registry", Registry()).add(domain)


def current() -> Registry:
    """The current app's registry (empty when no domain registered)."""
    return current_app.extensions.setdefault("doorstep.registry", Registry())
