"""Load, before serving, what requests would otherwise load on first use.

Commands import heavy libraries (numpy, scipy, the stemmer, the Markdown parser) only when they
need them, so that `learnloop --help` starts at once. A server is the opposite case: its first
requests would pay for those imports (seconds of CPU, holding the interpreter lock of a worker
whose other threads then wait), and under load that showed as reads taking 5–20 s at the start
of a run. `learnloop serve` loads the application in its master process before forking, so
warming up there costs once, at start-up, and every worker inherits the result.
"""

import contextlib
import importlib
import pkgutil

# Libraries loaded lazily by the code that uses them (see the `import` inside functions).
LIBRARIES = ("numpy", "scipy.stats", "snowballstemmer", "markdown_it", "nh3", "yaml")


def warm_up() -> None:
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 -- every view module and the API, with its schemas
    import learnloop.analytics as analytics

    for module in pkgutil.walk_packages(analytics.__path__, prefix="learnloop.analytics."):
        importlib.import_module(module.name)
    for name in LIBRARIES:
        with contextlib.suppress(ImportError):  # optional: its feature loads (or fails) as before
            importlib.import_module(name)
