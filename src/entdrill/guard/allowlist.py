"""The allow-list of target hosts: loopback always, plus ``ENTDRILL_ALLOWED_TARGETS``.

``ENTDRILL_ALLOWED_TARGETS`` is a comma-separated list of host names (``ent.staging.example``),
wildcard domains (``*.staging.example``: any host under it), IP addresses and networks in CIDR
notation (``192.0.2.0/24``). Names match names only: nothing is resolved, so a name not listed is
refused whatever it resolves to (``localhost`` is the one name that is loopback by definition).

An entry that is none of these is refused with a sentence, never ignored or read loosely:
``garbage!!`` (not a host name), ``999.1.1.1`` (digits that are no IP address), ``*`` and
``*.fr`` (every host, every host of a top-level domain), a URL instead of a host, and networks
wider than a /8 (IPv4) or a /16 (IPv6), ``0.0.0.0/0`` among them: each would turn the guard off.
"""

from __future__ import annotations

import ipaddress
import os
import re
import urllib.parse
from dataclasses import dataclass, field

from entdrill.errors import GuardRefusal, InvalidConfig

ENV = "ENTDRILL_ALLOWED_TARGETS"
LOOPBACK = (ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128"))
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
MIN_PREFIX = {4: 8, 6: 16}  # wider networks cover a large part of the Internet
_LABEL = re.compile(r"[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?")
_IPV4_LIKE = re.compile(r"[0-9.]+(/[0-9]*)?")


@dataclass(frozen=True)
class AllowList:
    names: frozenset[str] = frozenset({"localhost"})
    domains: tuple[str, ...] = ()  # ".staging.example" for "*.staging.example"
    networks: tuple[Network, ...] = LOOPBACK
    source: str = "default (loopback only)"
    _cache: dict[str, bool] = field(default_factory=dict, compare=False, repr=False)

    def allows_host(self, host: str) -> bool:
        """True when ``host`` (a name or an IP literal, brackets allowed) may be targeted."""
        known = self._cache.get(host)
        if known is not None:
            return known
        verdict = self._decide(host.strip("[]").lower().rstrip("."))
        if len(self._cache) < 1024:
            self._cache[host] = verdict
        return verdict

    def _decide(self, host: str) -> bool:
        if not host:
            return False
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return host in self.names or any(host.endswith(d) for d in self.domains)
        return any(address in network for network in self.networks)

    def allows_url(self, url: str) -> bool:
        end = url.find("/", 8)
        origin = url if end < 0 else url[:end]  # scheme://netloc: the cache key
        known = self._cache.get(origin)
        if known is None:
            parts = urllib.parse.urlsplit(origin)
            known = parts.scheme in ("http", "https") and self.allows_host(parts.hostname or "")
            if len(self._cache) < 1024:
                self._cache[origin] = known
        return known

    def check(self, url: str, what: str = "--target") -> None:
        """Raise :class:`GuardRefusal` (rule ``allow-list``) unless ``url``'s host is allowed."""
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise GuardRefusal(
                f"{what} {url!r} is not an http(s) URL with a host", rule="allow-list"
            )
        if not self.allows_host(parts.hostname):
            raise GuardRefusal(
                f"refused by the allow-list: {what} host {parts.hostname!r} is not allowed "
                f"(allowed: {self.describe()}; set {ENV} to add staging hosts)",
                rule="allow-list",
            )

    def describe(self) -> str:
        entries = sorted(self.names) + ["*" + d for d in self.domains]
        entries += [str(n) for n in self.networks]
        return ", ".join(entries)


def parse(text: str) -> AllowList:
    """An allow-list of loopback plus the entries of ``text`` (the variable's syntax)."""
    names: set[str] = {"localhost"}
    domains: list[str] = []
    networks: list[Network] = list(LOOPBACK)
    for raw in text.split(","):
        entry = raw.strip().lower()
        if not entry:
            continue
        if entry.startswith("*."):
            domains.append("." + _host_name(entry[2:], raw, wildcard=True))
            continue
        try:
            network = ipaddress.ip_network(entry, strict=False)
        except ValueError:
            network = None
        if network is not None:
            if network.prefixlen < MIN_PREFIX[network.version]:
                raise _refuse(
                    raw,
                    f"is wider than a /{MIN_PREFIX[network.version]} and would allow a large "
                    "part of the Internet; list the staging network",
                )
            networks.append(network)
            continue
        if _IPV4_LIKE.fullmatch(entry):
            raise _refuse(raw, "looks like an IPv4 address or network but is not one")
        names.add(_host_name(entry, raw))
    source = f"{ENV}={text}" if text.strip() else "default (loopback only)"
    return AllowList(frozenset(names), tuple(domains), tuple(networks), source)


def _host_name(name: str, raw: str, *, wildcard: bool = False) -> str:
    """``name`` when it is a host name (labels of letters, digits, - and _), else refused."""
    name = name.rstrip(".")
    if "://" in name:
        raise _refuse(raw, "is a URL; write its host only, such as ent.staging.example")
    if name in ("", "*"):
        raise _refuse(raw, "allows every host; list the staging hosts, or *.their-domain")
    if "*" in name:
        raise _refuse(raw, "has a * elsewhere than as a whole first label (*.staging.example)")
    labels = name.split(".")
    if len(name) > 253 or not all(_LABEL.fullmatch(label) for label in labels):
        raise _refuse(raw, "is neither a host name, *.domain, an IP address nor a CIDR network")
    if wildcard and len(labels) < 2:
        raise _refuse(raw, "allows every host of a top-level domain; name the staging domain")
    return name


def _refuse(raw: str, why: str) -> InvalidConfig:
    return InvalidConfig(f"{ENV}: {raw.strip()!r} {why}")


def from_environment() -> AllowList:
    return parse(os.environ.get(ENV, ""))
