"""How fast the sandbox's Slack API and SMTP server answer, against a bare peer in the same run.

Starts the two components as the supervisor does (one process each), then times sequential
calls from one client:

- Slack: ``chat.postMessage`` through ``slack_sdk.WebClient`` (rate limits turned off), against
  ``GET /_health`` on the same server with ``urllib`` (the aiohttp floor);
- SMTP: one message delivered (MAIL, RCPT, DATA into a Maildir) on an open, authenticated TLS
  connection, against ``NOOP`` on the same connection.

Run: ``.venv/bin/python bench/sandbox_people_channels.py [calls]``
"""

from __future__ import annotations

import json
import os
import signal
import smtplib
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path

from slack_sdk import WebClient

from entdrill.population import read_csv
from entdrill.sandbox.certificate import certificate_paths, client_context
from entdrill.testing import free_config, prepare_sandbox_dir


def start(name: str, directory: Path, health: str) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, "-m", "entdrill.sandbox.serve", name, "--dir", str(directory)]
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(health, timeout=1).close()
            return process
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"{name} did not start")


def rate(calls: int, action: Callable[[], object]) -> float:
    started = time.perf_counter()
    for _ in range(calls):
        action()
    return calls / (time.perf_counter() - started)


def main() -> None:
    calls = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        state = prepare_sandbox_dir(directory, free_config())
        config, secrets = state.config, state.secrets
        slack = start("slack", directory, f"http://127.0.0.1:{config.slack_port}/_health")
        smtp = start("smtp", directory, config.smtp_admin_url + "/_health")
        try:
            admin = {
                "Authorization": f"Bearer {secrets.admin_token}",
                "Content-Type": "application/json",
            }
            urllib.request.urlopen(
                urllib.request.Request(
                    f"http://127.0.0.1:{config.slack_port}/_admin/slack/limits",
                    data=json.dumps({"enabled": False}).encode(),
                    headers=admin,
                    method="PUT",
                ),
                timeout=5,
            ).close()
            client = WebClient(token=secrets.slack_token, base_url=config.slack_api_url)
            health = f"http://127.0.0.1:{config.slack_port}/_health"
            floor = rate(calls, lambda: urllib.request.urlopen(health, timeout=5).read())
            posts = rate(calls, lambda: client.chat_postMessage(channel="#general", text="bench"))
            print(
                f"slack: chat.postMessage {posts:.0f}/s, bare GET /_health {floor:.0f}/s, ratio {posts / floor:.2f}"
            )

            to = next(
                p.email for p in read_csv(directory / "population.csv") if p.role == "teacher"
            )
            message = EmailMessage()
            message["From"], message["To"], message["Subject"] = (
                "drill@" + config.school_domain,
                to,
                "bench",
            )
            message.set_content("bench\n")
            with smtplib.SMTP("127.0.0.1", config.smtp_port, timeout=10) as connection:
                connection.starttls(context=client_context(certificate_paths(directory)[0]))
                connection.login(secrets.smtp_user, secrets.smtp_password)
                noop = rate(calls, connection.noop)
                sends = rate(calls, lambda: connection.send_message(message))
            print(f"smtp: delivered {sends:.0f}/s, NOOP {noop:.0f}/s, ratio {sends / noop:.2f}")
        finally:
            for process in (slack, smtp):
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=15)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
