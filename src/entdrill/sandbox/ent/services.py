"""The CAS service registry and service URLs: which applications may use this CAS (pure).

Like an Apereo service registry entry with ``serviceId`` ``^http://127\\.0\\.0\\.1:<port>(/.*)?$``:
the portal's own URLs are registered, nothing else is.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit


class ServiceRegistry:
    """The services allowed to ask for tickets: every URL of the portal at ``portal_url``."""

    def __init__(self, portal_url: str) -> None:
        self.portal_url = portal_url.rstrip("/")
        self._pattern = re.compile("^" + re.escape(self.portal_url) + r"(/[^\s]*)?$")

    def authorized(self, service: str) -> bool:
        return bool(self._pattern.match(service))

    def portal_page(self, path_qs: str) -> str:
        """The service URL of a portal page (its own URL without any ``ticket`` parameter)."""
        return without_ticket(self.portal_url + path_qs)


def with_ticket(service: str, ticket: str) -> str:
    """``service`` with ``ticket=<ticket>`` appended to its query."""
    separator = "&" if urlsplit(service).query else "?"
    return f"{service}{separator}ticket={quote(ticket, safe='')}"


def without_ticket(url: str) -> str:
    """``url`` without its ``ticket`` query parameters (what a service validates against)."""
    parts = urlsplit(url)
    if "ticket=" not in parts.query:
        return url
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "ticket"]
    return urlunsplit(parts._replace(query=urlencode(query)))


def login_url(cas_base: str, service: str) -> str:
    """Where a portal sends a browser without a session."""
    return f"{cas_base}/cas/login?service={quote(service, safe='')}"
