"""Debian's nginx as a target whose capacity is known exactly: ``limit_req`` at a fixed rate.

nginx is started as the test's own process (``daemon off``, its own prefix, configuration, logs
and pid file in a temporary directory, a free port on 127.0.0.1). Requests for ``/`` beyond
``rate`` per second (after a small ``burst``, served at once with ``nodelay``) are answered 503;
the consent token is served at ``/.well-known/entdrill-consent`` outside the limit. The static
page is served in nginx's content phase, after ``limit_req`` (a ``return`` would bypass it).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from entdrill.testing import free_port

CONF = """
{user}
worker_processes 1;
daemon off;
master_process on;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 2048; }}
http {{
    access_log {root}/access.log;
    client_body_temp_path {root}/tmp-body;
    proxy_temp_path {root}/tmp-proxy;
    fastcgi_temp_path {root}/tmp-fastcgi;
    uwsgi_temp_path {root}/tmp-uwsgi;
    scgi_temp_path {root}/tmp-scgi;
    keepalive_requests 1000000;
    limit_req_zone $server_name zone=capacity:1m rate={rate}r/s;
    server {{
        listen 127.0.0.1:{port} backlog=1024;
        server_name capacity;
        root {root}/www;
        location = /.well-known/entdrill-consent {{
            default_type text/plain;
            return 200 "{token}";
        }}
        location / {{
            limit_req zone=capacity burst={burst} nodelay;
            limit_req_status 503;
            index index.html;
        }}
    }}
}}
"""


@dataclass(frozen=True)
class LimitedNginx:
    url: str
    rate: int
    burst: int
    root: Path

    def access_statuses(self) -> dict[int, int]:
        """How many requests for ``/`` nginx answered with each status (from its access log)."""
        counts: dict[int, int] = {}
        log = self.root / "access.log"
        for line in log.read_text().splitlines() if log.exists() else []:
            parts = line.split('"')
            if len(parts) < 3 or " /.well-known/" in parts[1]:
                continue
            status = int(parts[2].split()[0])
            counts[status] = counts.get(status, 0) + 1
        return counts


def nginx_binary() -> str | None:
    return shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )


@contextlib.contextmanager
def limited_nginx(root: Path, *, rate: int, burst: int, token: str) -> Iterator[LimitedNginx]:
    """nginx on a free loopback port limiting ``/`` to ``rate`` requests per second."""
    binary = nginx_binary()
    assert binary is not None, "nginx is not installed (apt-get install nginx)"
    (root / "www").mkdir(parents=True)
    (root / "www" / "index.html").write_text("<html>capacity known exactly</html>\n")
    port = free_port()
    user = "user root;" if os.geteuid() == 0 else ""  # workers must read the test's tmp dir
    conf = root / "nginx.conf"
    conf.write_text(
        CONF.format(user=user, root=root, port=port, rate=rate, burst=burst, token=token)
    )
    process = subprocess.Popen(
        [binary, "-p", str(root), "-c", str(conf), "-e", str(root / "error.log")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                urllib.request.urlopen(url + "/.well-known/entdrill-consent", timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    error = process.stderr.read().decode() if process.stderr else ""
                    raise RuntimeError(f"nginx did not start: {error}") from None
                time.sleep(0.05)
        yield LimitedNginx(url, rate, burst, root)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
