"""The ENT store on Redis, the session store real ENTs put behind their replicas.

Keys are ``<namespace>:<kind>:<key>``; a time to live is Redis's own (``PX``), so nothing needs
purging. A single-use take is ``GETDEL``, atomic on the server. Every call has a socket timeout.
"""

from __future__ import annotations

import redis

from entdrill.errors import SandboxError
from entdrill.sandbox.ent.store import SESSION_KINDS, check_kind

TIMEOUT_S = 2.0
SCAN_BATCH = 500


class RedisStore:
    """:class:`~entdrill.sandbox.ent.store.EntStore` on a Redis server."""

    backend = "redis"

    def __init__(self, url: str, namespace: str) -> None:
        self.namespace = namespace
        try:
            self._redis: redis.Redis = redis.Redis.from_url(
                url,
                socket_timeout=TIMEOUT_S,
                socket_connect_timeout=TIMEOUT_S,
                decode_responses=True,
            )
        except ValueError as error:
            raise SandboxError(f"cannot use the ENT store URL: {error}") from error

    def _key(self, kind: str, key: str) -> str:
        return f"{self.namespace}:{kind}:{key}"

    def put(self, kind: str, key: str, value: str, ttl_s: float | None) -> None:
        check_kind(kind)
        if ttl_s is None:
            self._redis.set(self._key(kind, key), value)
        else:
            self._redis.set(self._key(kind, key), value, px=max(1, round(ttl_s * 1000)))

    def get(self, kind: str, key: str) -> str | None:
        value = self._redis.get(self._key(kind, key))
        return None if value is None else str(value)

    def take(self, kind: str, key: str) -> str | None:
        value = self._redis.getdel(self._key(kind, key))
        return None if value is None else str(value)

    def delete(self, kind: str, key: str) -> bool:
        return int(self._redis.delete(self._key(kind, key))) > 0

    def _keys(self, kind: str) -> list[str]:
        pattern = f"{self.namespace}:{kind}:*"
        return [str(k) for k in self._redis.scan_iter(match=pattern, count=SCAN_BATCH)]

    def count(self, kind: str) -> int:
        return len(self._keys(kind))

    def lose_sessions(self) -> int:
        lost = 0
        for kind in SESSION_KINDS:
            keys = self._keys(kind)
            for start in range(0, len(keys), SCAN_BATCH):
                lost += int(self._redis.delete(*keys[start : start + SCAN_BATCH]))
        return lost

    def purge_expired(self) -> int:
        return 0

    def ping(self) -> None:
        self._redis.ping()

    def close(self) -> None:
        self._redis.close()

    def drop_namespace(self) -> int:
        """Delete every key of this namespace (tests and ``sandbox down`` clean up with it)."""
        keys = [str(k) for k in self._redis.scan_iter(match=f"{self.namespace}:*")]
        return sum(
            int(self._redis.delete(*keys[i : i + SCAN_BATCH]))
            for i in range(0, len(keys), SCAN_BATCH)
        )
