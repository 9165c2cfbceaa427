"""Request logging that cannot link anonymous writes to people.

An access log line with a client address, a time and the path of a card or vote write is
enough to tie that card or vote to whoever signed in from the same address (the audit log
keeps sign-in addresses). So Learnloop's own request logs never carry the client address, a
query string, a referrer or a user agent, and every path is written as its route pattern —
``POST /sessions/<int:session_id>/votes/`` — so ids and secret link tokens (survey answer
links) never reach a log file either. What stays is what operations need: time, method, route,
status and duration.
"""

import logging
import re

from django.urls import Resolver404, resolve
from gunicorn.glogging import Logger

# A path segment that may identify something: any digit, or long enough to be a token or a slug
# of someone's content.
_IDENTIFYING_SEGMENT = re.compile(r"^(?!v\d+$).*\d|^[^/]{24,}$")
_REGEX_ROUTE = re.compile(r"[\^$*+?()\[\]\\|]")


def redact_path(path: str) -> str:
    """The route a path matched (ids and tokens as their placeholders), without the query."""
    path = (path or "/").split("?", 1)[0]
    try:
        route = resolve(path).route
    except (Resolver404, ValueError):
        route = None
    # Regular-expression routes (the API's catch-all for unknown paths) say nothing useful.
    if route is not None and not _REGEX_ROUTE.search(route):
        return "/" + route
    # Unknown paths (404s, static files): keep the shape, hide anything that might identify.
    return "/".join("*" if _IDENTIFYING_SEGMENT.search(segment) else segment for segment in path.split("/"))


class RedactedAccessLogger(Logger):
    """gunicorn's logger, with access lines in the redacted form above."""

    def access(self, resp, req, environ, request_time):
        if not self.cfg.accesslog:
            return
        status = str(resp.status).split(" ", 1)[0]
        milliseconds = round(request_time.total_seconds() * 1000)
        try:
            route = redact_path(req.path)
        except Exception:  # a log line must never break serving; "-" reveals nothing
            route = "-"
        self.access_log.info('%s "%s %s" %s %dms', self.now(), req.method, route, status, milliseconds)


class RedactPathsFilter(logging.Filter):
    """For Django's own request warnings ("Not Found: /path", "Forbidden (CSRF …): /path")."""

    def filter(self, record):
        request = getattr(record, "request", None)
        path = getattr(request, "path", None)
        if path and isinstance(record.args, tuple):
            record.args = tuple(redact_path(arg) if arg == path else arg for arg in record.args)
        return True
