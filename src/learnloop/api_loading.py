"""Loading the REST API cheaply: every process that resolves a URL pays for it.

Importing the URLconf imports the whole API: about 1,800 pydantic models (our schemas, plus a
response model per operation and status and a parameter model per operation that ninja makes).
`learnloop check`, the reminder and digest commands (their emails' links go through `reverse`)
and every web worker pay that on start-up. Measured with `learnloop check` (2.0 s of CPU):

* pydantic builds each model's validator and serializer as the class is made, although a
  command or a worker uses few of them. `defer_build` builds them on first use instead: the
  same work for the models a process uses, none for the rest (about 0.27 s less for check).
  Every model the API has is still built by the OpenAPI document test, so a broken schema
  fails the suite as before, only later in a running process.
* The cyclic garbage collector ran about 380 times during the import and the checks, three of
  them full collections that walk every object made so far (about 0.2 s). What the import makes
  lives as long as the process, so the collector is paused while it runs, and the objects are
  then moved out of the collector's sight (`gc.freeze`, as long-lived servers do), which also
  keeps later full collections in a worker from walking them again. About 1 % of them is
  garbage (2,800 unreachable objects of 207,600, measured): frozen with the rest, it stays for
  the life of the process, which costs less than the 65 ms full collection that would free it.

Nothing here imports Django's settings or ninja before it is asked to (urls.py calls it).
"""

import gc
from collections.abc import Iterator
from contextlib import contextmanager


def defer_model_builds() -> None:
    """Make ninja's base models, and so every model made from them afterwards, build on first use."""
    import ninja
    from ninja.params import models as parameter_models

    bases = [ninja.Schema]
    bases += [
        value for value in vars(parameter_models).values()
        if isinstance(value, type) and issubclass(value, parameter_models.ParamModel)
    ]
    for base in bases:
        # pydantic copies a base's config into each subclass as the subclass is made, so this
        # reaches the models made after it; the bases themselves are complete already.
        base.model_config["defer_build"] = True


@contextmanager
def garbage_collection_paused() -> Iterator[None]:
    """Run a block that only makes long-lived objects without the cyclic collector."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()
            gc.enable()


@contextmanager
def loading_the_api() -> Iterator[None]:
    defer_model_builds()
    with garbage_collection_paused():
        yield
