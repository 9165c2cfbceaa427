"""Web requests while storage can't be written: writes answer 503, everything else goes on."""

from django.db import connection, transaction
from django.shortcuts import render

from learnloop.ops import storage

_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def _watch_writes(execute, sql, params, many, context):
    """Every statement: a storage failure starts the condition; a committed write may end it."""
    try:
        result = execute(sql, params, many, context)
    except Exception as error:
        storage.note_failure(error)
        raise
    if storage.recorded_condition() is not None and sql.lstrip()[:7].upper().startswith(_WRITES):
        # Runs once the surrounding transaction commits (at once outside one): a write that is
        # rolled back, or whose COMMIT fails for lack of space, proves nothing.
        transaction.on_commit(storage.note_write_committed)
    return result


def unavailable_response(request, condition):
    return render(request, "503_storage.html", {"condition": condition}, status=503)


class StorageUnavailableMiddleware:
    """Turns a write that failed for lack of storage into a 503 page saying so (not a 500)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with connection.execute_wrapper(_watch_writes):
            return self.get_response(request)

    def process_exception(self, request, exception):
        condition = storage.note_failure(exception)
        if condition is None:
            return None
        response = unavailable_response(request, condition)
        response["Retry-After"] = "60"
        response._has_been_logged = True  # the condition is logged once, not per request
        return response
