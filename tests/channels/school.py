"""A small sandbox school for channel tests: real components served on loopback from threads.

Only the components a test needs are started (no ENT). ``status()`` is what ``entdrill sandbox
status --json`` would say, so channels are built exactly as a drill on the sandbox builds them.
"""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from entdrill.channels import ChannelContext, Recipient
from entdrill.population import Person, generate, write_csv
from entdrill.sandbox import bridge, slack_api, sms, smtp, staff, statuspage
from entdrill.sandbox.component import ComponentContext
from entdrill.sandbox.config import SandboxConfig, SandboxSecrets
from entdrill.sandbox.staff_profile import StaffProfile, build_profiles, simulated
from entdrill.sandbox.state import SandboxState, write_state
from entdrill.testing import free_config
from tests.sandbox.threaded_server import serving

SEED = 4243  # slack readers who react, others who reply in threads, silent people
SILENT_SHARE = 0.25

APPS: dict[str, Callable[[ComponentContext], Any]] = {
    "slack": slack_api.make_app,
    "smtp": smtp.make_app,
    "sms": lambda ctx: sms.make_app(ctx, delay_range_s=(0.05, 0.3)),
    "statuspage": statuspage.make_app,
    "bridge": bridge.make_app,
    "backup-bridge": bridge.make_app,
    "staff": lambda ctx: staff.make_app(ctx, poll_s=0.2),
}


class School:
    def __init__(self, directory: Path, secrets: SandboxSecrets | None = None, **config: Any):
        values = {
            "seed": SEED,
            "schools": 1,
            "pupils_per_school": 2,
            "staff_ack_median_s": 0.3,
            "staff_silent_share": SILENT_SHARE,
            **config,
        }
        self.config: SandboxConfig = free_config(**values)
        self.secrets = secrets or SandboxSecrets()
        self.directory = directory
        self.state = SandboxState(self.config, self.secrets)
        write_state(directory, self.state)
        self.people: list[Person] = generate(self.config)
        write_csv(self.people, directory / "population.csv")
        self.staff = simulated(self.people)
        self.profiles: dict[str, StaffProfile] = build_profiles(self.staff, SEED, SILENT_SHARE)

    # -- components -----------------------------------------------------------------------

    @contextmanager
    def serving(self, *names: str) -> Iterator[School]:
        with ExitStack() as stack:
            for name in names:
                ctx = ComponentContext(name, self.config, self.secrets, self.directory)
                port = self.config.smtp_admin_port if name == "smtp" else ctx.port
                stack.enter_context(serving(lambda ctx=ctx, name=name: APPS[name](ctx), port))
            yield self

    def status(self) -> dict[str, Any]:
        c, s = self.config, self.secrets
        return {
            "directory": str(self.directory),
            "bridge_url": c.bridge_url,
            "bridge_secret": s.bridge_secret,
            "backup_bridge_url": c.backup_bridge_url,
            "backup_bridge_secret": s.backup_bridge_secret,
            "slack_api_url": c.slack_api_url,
            "slack_token": s.slack_token,
            "smtp_host": "127.0.0.1",
            "smtp_port": c.smtp_port,
            "smtp_user": s.smtp_user,
            "smtp_password": s.smtp_password,
            "sms_api_url": c.sms_api_url,
            "sms_token": s.sms_token,
            "status_page_url": c.status_page_url,
            "status_token": s.status_token,
        }

    def context(self, drill_id: str = "drill-1", **overrides: Any) -> ChannelContext:
        return ChannelContext.from_sandbox(self.status(), drill_id, **overrides)

    # -- people ---------------------------------------------------------------------------

    def recipients(self, people: list[Person] | None = None) -> list[Recipient]:
        return [
            Recipient(p.username, p.name, slack_id=p.slack_id, email=p.email, phone=p.phone)
            for p in (self.staff if people is None else people)
        ]

    def answering(self, channel: str) -> set[str]:
        return {name for name, p in self.profiles.items() if p.answers_on(channel)}

    def slack_style(self, style: str) -> set[str]:
        return {n for n in self.answering("slack") if self.profiles[n].slack_style == style}

    # -- admin ----------------------------------------------------------------------------

    def admin(self, method: str, url: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(url, data=data, method=method)
        request.add_header("Authorization", f"Bearer {self.secrets.admin_token}")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)

    def slack_admin(self, method: str, path: str, body: Any = None) -> Any:
        return self.admin(method, f"http://127.0.0.1:{self.config.slack_port}{path}", body)

    def slack_messages(self, channel: str = "") -> list[dict[str, Any]]:
        query = f"?channel={channel}" if channel else ""
        return list(self.slack_admin("GET", "/_admin/slack/messages" + query)["messages"])

    def smtp_force(self, **force: Any) -> Any:
        return self.admin("POST", f"{self.config.smtp_admin_url}/_admin/smtp/force", force)

    def smtp_pending(self) -> list[dict[str, Any]]:
        return list(self.admin("GET", f"{self.config.smtp_admin_url}/_admin/smtp/force")["pending"])


def wait_for(check: Callable[[], bool], what: str, timeout_s: float = 20.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def poll_until(
    channel: Any, done: Callable[[list[Any]], bool], what: str, timeout_s: float = 20.0
) -> list[Any]:
    """Poll ``channel`` until ``done(every event so far)``; every event polled."""
    events: list[Any] = []
    deadline = time.monotonic() + timeout_s
    while True:
        events += channel.poll()
        if done(events):
            return events
        assert time.monotonic() < deadline, f"timed out waiting for {what}: {events}"
        time.sleep(0.2)
