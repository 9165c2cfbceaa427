"""A package's public names loaded from their modules on first use (PEP 562), so importing one
light piece of a package, or the package in a command that never computes, doesn't load numpy
and scipy."""

import importlib


def lazy_exports(package: str, homes: dict[str, str], namespace: dict):
    """(__getattr__, __dir__) for a package whose names live in the modules `homes` gives."""

    def __getattr__(name: str):
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(home), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *homes})

    return __getattr__, __dir__
