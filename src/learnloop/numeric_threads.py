"""How many threads numerical libraries (OpenBLAS/MKL through numpy and scipy, OpenMP) may use.

By default they start one thread per core and spin while waiting for work. On a server whose
cores are busy with requests, or a machine shared with other programs, those threads fight for
the same cores: a 50-item `survey reliability` ran 10–250× slower than with one thread. So every
Learnloop process limits them, before numpy is loaded (learnloop/__init__.py calls `limit`):

* LEARNLOOP_NUMERIC_THREADS=N (default 1) sets the limit; 0 leaves the libraries' own default
  (a thread per core), for a machine that does nothing else;
* a library's own variable set explicitly (OMP_NUM_THREADS, OPENBLAS_NUM_THREADS, ...) wins for
  that library.

This module imports nothing heavy and no Django; docs/configuration.md describes the setting.
"""

import os
import sys
from collections.abc import MutableMapping

SETTING = "LEARNLOOP_NUMERIC_THREADS"
DEFAULT = 1
# Read by the libraries when they load: OpenMP, OpenBLAS (numpy's and scipy's wheels), MKL,
# BLIS, Apple's Accelerate, numexpr.
LIBRARY_VARIABLES = (
    "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS",
)


def configured_threads(environ: MutableMapping[str, str] = os.environ) -> int | None:
    """The limit LEARNLOOP_NUMERIC_THREADS asks for; None for "no limit" (0)."""
    text = environ.get(SETTING, "").strip()
    if not text:
        return DEFAULT
    try:
        threads = int(text)
    except ValueError:
        raise ValueError(f"{SETTING} must be a whole number of threads (0 for no limit), not {text!r}") from None
    if threads < 0:
        raise ValueError(f"{SETTING} must be 0 (no limit) or more, not {threads}")
    return threads or None


def limit(environ: MutableMapping[str, str] = os.environ) -> int | None:
    """Apply the configured limit to this process (and the processes it starts); returns it."""
    threads = configured_threads(environ)
    if threads is None:
        return None
    for name in LIBRARY_VARIABLES:
        environ.setdefault(name, str(threads))
    if "numpy" in sys.modules:
        # Loaded before Learnloop (a script that imports numpy first): the variables come too late
        # for libraries already loaded; threadpoolctl, where installed, can still change them.
        try:
            from threadpoolctl import threadpool_limits
        except ImportError:
            return threads
        threadpool_limits(threads)
    return threads
