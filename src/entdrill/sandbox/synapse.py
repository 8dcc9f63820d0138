"""The sandbox's Matrix homeserver: Synapse, run in the ``matrix`` component's own process.

``python -m entdrill.sandbox.serve matrix --dir D`` writes Synapse's configuration into
``D/matrix/`` (:mod:`synapse_config`; a signing key on first start), then runs Synapse's own
entry point in this process, so the supervisor finds, signals and stops it like any component
(SIGTERM stops Synapse's reactor). A thread sets the school up once Synapse answers
(:mod:`matrix_accounts`) and writes ``accounts.json``: the component *answers* (for the
supervisor) once the bot's token works. If the setup fails, the process stops: the sandbox then
runs without Matrix and says why.

Synapse comes from the ``synapse`` extra (``pip install 'entdrill[synapse]'``, which ``make
install`` does); without it the supervisor does not even try.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import signal
import sys
import threading
from pathlib import Path

import yaml

from entdrill.errors import InvalidConfig, SandboxError
from entdrill.population import read_csv
from entdrill.sandbox import matrix_accounts
from entdrill.sandbox.component import ComponentContext
from entdrill.sandbox.staff_profile import simulated
from entdrill.sandbox.synapse_config import homeserver_config, log_config

log = logging.getLogger(__name__)

SETUP_TIMEOUT_S = 120.0
NOT_INSTALLED = (
    "the matrix-synapse package is not installed (pip install 'entdrill[synapse]', "
    "or `make install`)"
)


def synapse_missing() -> str:
    """Why Synapse cannot run here ("" when it can)."""
    return "" if importlib.util.find_spec("synapse") is not None else NOT_INSTALLED


def write_files(ctx: ComponentContext) -> Path:
    """Synapse's configuration, log configuration and signing key; the configuration's path."""
    directory = ctx.matrix_dir
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    (directory / "media").mkdir(exist_ok=True)
    key = directory / "signing.key"
    if not key.exists():
        from signedjson.key import generate_signing_key, write_signing_keys

        fd = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            write_signing_keys(handle, [generate_signing_key("a_sandbox")])
    _write_yaml(directory / "log.yaml", log_config())
    path = directory / "homeserver.yaml"
    _write_yaml(path, homeserver_config(ctx.config, ctx.secrets, directory))
    return path


def _write_yaml(path: Path, data: object) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        yaml.safe_dump(data, handle, sort_keys=False)


def set_up(ctx: ComponentContext) -> None:
    """Once Synapse answers: the school's accounts and room, unless this database has them."""
    url = ctx.config.matrix_url
    try:
        matrix_accounts.wait_until_serving(url, SETUP_TIMEOUT_S)
        existing = matrix_accounts.read_accounts(ctx.directory)
        if existing is not None and _works(url, existing.bot):
            log.info("Matrix accounts already set up (%d people)", len(existing.people))
            return
        people = simulated(read_csv(ctx.population_csv))
        accounts = matrix_accounts.set_up_school(
            url, ctx.config.school_domain, ctx.secrets.matrix_shared_secret, people
        )
        matrix_accounts.write_accounts(ctx.directory, accounts)
        log.info(
            "Matrix ready on %s: the bot %s, %d people, room %s",
            url,
            accounts.bot.user_id,
            len(accounts.people),
            ", ".join(accounts.rooms),
        )
    except Exception as error:  # the component must not run half set up
        log.error("setting up Matrix failed, stopping Synapse: %s", error)
        os.kill(os.getpid(), signal.SIGTERM)


def _works(url: str, account: matrix_accounts.Account) -> bool:
    try:
        answer = matrix_accounts.call(
            url, "GET", "/_matrix/client/v3/account/whoami", token=account.access_token
        )
    except SandboxError:
        return False
    return answer.get("user_id") == account.user_id


def run_blocking(ctx: ComponentContext) -> None:
    """Run Synapse in this process until SIGTERM (the ``matrix`` component)."""
    missing = synapse_missing()
    if missing:
        raise InvalidConfig(missing)
    config_path = write_files(ctx)
    threading.Thread(target=set_up, args=(ctx,), name="matrix-setup", daemon=True).start()
    from synapse.app import homeserver

    sys.argv = ["synapse.app.homeserver", "--config-path", str(config_path)]
    homeserver.main()
