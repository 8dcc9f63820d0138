"""The sandbox's Synapse configuration (pure): a homeserver on loopback, for one school.

:func:`homeserver_config` is the ``homeserver.yaml`` of the sandbox's Matrix homeserver:

- the server name is the school's domain (``ecole.test``), so people are ``@user:ecole.test``;
- one HTTP listener, client API only, on ``127.0.0.1:matrix_port``; no federation, no trusted
  key server, no metrics, no presence, no public registration (accounts are created with the
  registration shared secret, which only the sandbox holds);
- SQLite in the sandbox directory, cheap password hashes (the sandbox's accounts are throwaway);
- the **message** rate limit per user is the sandbox's ``matrix_message_rate`` and
  ``matrix_message_burst`` (Synapse's own defaults, 0.2 a second in bursts of 10, unless set):
  that is the limit a drill meets. Joins, invites, room creation, registration and logins are
  made generous, so setting the school up and opening direct rooms is not what a drill measures.

:func:`log_config` keeps Synapse's log to warnings (its access log says every request).
"""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path
from typing import Any

from entdrill.sandbox.config import HOST, SandboxConfig, SandboxSecrets

#: What the sandbox allows for everything but messages: far above what setting up a school and
#: opening a direct room per person needs.
GENEROUS = {"per_second": 50, "burst_count": 500}


def derived_secret(secrets: SandboxSecrets, purpose: str) -> str:
    """A secret for ``purpose`` (macaroons, forms) derived from the registration secret."""
    key = secrets.matrix_shared_secret.encode()
    return hmac.new(key, purpose.encode(), hashlib.sha256).hexdigest()


def homeserver_config(
    config: SandboxConfig, secrets: SandboxSecrets, directory: Path
) -> dict[str, Any]:
    """The ``homeserver.yaml`` of the sandbox's Synapse, whose files live in ``directory``."""
    return {
        "server_name": config.school_domain,
        "public_baseurl": f"http://{HOST}:{config.matrix_port}/",
        "listeners": [
            {
                "port": config.matrix_port,
                "bind_addresses": [HOST],
                "type": "http",
                "tls": False,
                "x_forwarded": False,
                "resources": [{"names": ["client"], "compress": False}],
            }
        ],
        "database": {"name": "sqlite3", "args": {"database": str(directory / "homeserver.db")}},
        "media_store_path": str(directory / "media"),
        "signing_key_path": str(directory / "signing.key"),
        "log_config": str(directory / "log.yaml"),
        "registration_shared_secret": secrets.matrix_shared_secret,
        "macaroon_secret_key": derived_secret(secrets, "macaroon"),
        "form_secret": derived_secret(secrets, "form"),
        "enable_registration": False,
        "report_stats": False,
        "enable_metrics": False,
        "trusted_key_servers": [],
        "suppress_key_server_warning": True,
        "federation_domain_whitelist": [],
        "bcrypt_rounds": 4,
        "presence": {"enabled": False},
        "url_preview_enabled": False,
        "rc_message": {
            "per_second": float(config.matrix_message_rate),
            "burst_count": int(config.matrix_message_burst),
        },
        "rc_registration": GENEROUS,
        "rc_login": {"address": GENEROUS, "account": GENEROUS, "failed_attempts": GENEROUS},
        "rc_joins": {"local": GENEROUS, "remote": GENEROUS},
        "rc_joins_per_room": GENEROUS,
        "rc_invites": {"per_room": GENEROUS, "per_user": GENEROUS, "per_issuer": GENEROUS},
        "rc_room_creation": GENEROUS,
    }


def log_config() -> dict[str, Any]:
    """Synapse's logging: warnings and errors on stderr (the component's log), in our format."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "plain": {"format": "%(asctime)s %(levelname)s matrix %(name)s: %(message)s"}
        },
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "plain",
                "stream": "ext://sys.stderr",
            }
        },
        "loggers": {
            "entdrill": {"level": "INFO"},
            "synapse.app.homeserver": {"level": "INFO"},
        },
        "root": {"level": "WARNING", "handlers": ["stderr"]},
    }
