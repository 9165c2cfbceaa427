"""Which apps add a part to the demo: every installed app with a `demo` module, in app order."""

from importlib import import_module, util

from django.apps import apps


def demo_modules():
    """(app label, its demo module) for every installed app that has one."""
    for config in apps.get_app_configs():
        name = f"{config.name}.demo"
        if util.find_spec(name) is not None:
            yield config.label, import_module(name)
