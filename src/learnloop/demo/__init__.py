"""The demo organization: built from a seed by one `demo.py` module per domain.

`build_demo` wipes a database that holds only demo data (or nothing) and asks each installed
app, in INSTALLED_APPS order, to add its part through `<app>.demo.build(context)`. Later modules
read what earlier ones made from `context` (people, teams, ...). Every date comes from
`context.clock` (demo/clock.py), never the real clock, so the same seed on the same day gives
the same organization and `learnloop demo` can be run again safely.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.db import transaction

from learnloop.demo.clock import DemoClock
from learnloop.demo.modules import demo_modules

DEMO_PASSWORD = "learnloop-demo"  # noqa: S105 (printed for the demo on purpose)


class DemoRefused(Exception):
    """The database holds a real organization; the demo generator won't touch it."""


@dataclass
class DemoContext:
    seed: int
    rng: random.Random
    clock: DemoClock
    password_hash: str
    announce: Callable[[str], None]
    organization: object = None
    # Filled by the domain modules, read by later ones.
    people: list = field(default_factory=list)
    teams: dict = field(default_factory=dict)
    logins: list = field(default_factory=list)
    extra: dict = field(default_factory=dict)


def _check_database_is_demo_or_empty() -> None:
    from learnloop.org.models import Organization

    organization = Organization.objects.filter(id=1).first()
    if organization is not None and organization.is_demo:
        return
    # The organization row alone is no sign of real data (it is created on first use), nor is
    # the audit log (a failed sign-in or a backup of the empty database writes to it); any other
    # row of Learnloop's own is: people, teams imported before anyone, their content.
    holding_data = [
        str(model._meta.verbose_name_plural)
        for model in apps.get_models()
        if model._meta.app_config.name.startswith("learnloop.")
        and model._meta.app_label != "audit"
        and model is not Organization
        and model._meta.managed
        and not model._meta.proxy
        and model._base_manager.exists()
    ]
    if holding_data:
        raise DemoRefused(
            "This database holds a real organization (it was not created by `learnloop demo`; it has "
            + ", ".join(holding_data)
            + "). The demo generator only runs on an empty database or an earlier demo; point "
            "DATABASE_URL or LEARNLOOP_DATA_DIR somewhere else to try the demo."
        )


def build_demo(
    *, seed: int = 42, announce: Callable[[str], None] = lambda message: None, only: tuple[str, ...] = (),
    scale: int = 1,
) -> DemoContext:
    """Build the demo organization; `only` limits it to some apps' parts (by app label, e.g.
    ("org",)), for tests of one module and for a quick organization without content.

    `scale` N > 1 makes it N times larger: the modules build the head office, `demo.scale`
    copies it to N-1 sites, then the modules marked `ORGANIZATION_WIDE = True` (survey campaigns
    over everyone) are built once over all sites."""
    from learnloop.demo.scale import replicate

    if scale < 1:
        raise ValueError("The scale is a whole number from 1 up.")
    _check_database_is_demo_or_empty()
    announce("clearing the previous demo data")
    # flush empties every table, including the append-only activity stream, in one statement
    # per table; the schema and migrations table are untouched.
    call_command("flush", interactive=False, verbosity=0)
    context = DemoContext(
        seed=seed,
        rng=random.Random(seed),
        clock=DemoClock.starting_today(),
        # One hash for every demo account: hashing 150 passwords with argon2 would take seconds.
        password_hash=make_password(DEMO_PASSWORD),
        announce=announce,
    )
    chosen = [(label, module) for label, module in demo_modules() if not only or label in only]
    per_site = [(label, module) for label, module in chosen if not getattr(module, "ORGANIZATION_WIDE", False)]
    organization_wide = [(label, module) for label, module in chosen if (label, module) not in per_site]
    with transaction.atomic():
        for label, module in per_site:
            announce(f"building demo data: {label}")
            module.build(context)
        replicate(context, scale)
        for label, module in organization_wide:
            announce(f"building demo data: {label}")
            module.build(context)
        if not only or "org" in only:  # after every module: people leave once they own something
            from learnloop.demo import leavers

            announce("building demo data: leavers")
            leavers.build(context)
    from learnloop.ops.signals import announce_data_replaced

    announce_data_replaced(build_demo, announce=announce)  # the search index, from the new data
    return context
