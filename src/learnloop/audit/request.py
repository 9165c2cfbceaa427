"""Where a request came from, as recorded in the audit log and used for rate limiting."""

from django.conf import settings


def client_ip(request) -> str | None:
    if request is None:
        return None
    hops = settings.TRUSTED_PROXY_COUNT
    if hops > 0:
        # Only the addresses appended by our own proxies can be trusted; anything further left
        # in the header was written by the client.
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR") or None
