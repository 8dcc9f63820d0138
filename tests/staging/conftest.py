"""A staging ENT written elsewhere (django-cas-server, django-cas-ng, Django's LoginView)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.staging_ent.sites import CONSENT_TOKEN, StagingEnt, running

ROOT = Path(__file__).resolve().parents[2]
CHAOS = str(Path(sys.executable).with_name("chaos"))


@pytest.fixture(scope="session")
def real_ent(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StagingEnt]:
    with running(tmp_path_factory.mktemp("staging-ent")) as ent:
        yield ent


def portal_journey(ent: StagingEnt) -> dict[str, Any]:
    """The var file's configuration for the CAS portal: login starts at the portal's page."""
    return {
        "ent_base_url": ent.portal_url,
        "cas_url": ent.cas_url,
        "login_journey": "cas-portal",
        "app_path": "/homework",
        "probe_page": "/homework",
        "population_csv": str(ent.population_csv),
    }


def form_journey(ent: StagingEnt) -> dict[str, Any]:
    return {
        "ent_base_url": ent.forms_url,
        "login_journey": "form",
        "login_url": ent.forms_url + "/accounts/login/",
        "login_success": "cookie:sessionid",
        "app_path": "/homework",
        "probe_page": "/homework",
        "population_csv": str(ent.population_csv),
    }


def chaos_run(
    home: Path, experiment: str, configuration: dict[str, Any], *extra: str
) -> tuple[subprocess.CompletedProcess[str], dict[str, Any] | None]:
    """``chaos run --var-file`` of an experiment; its outcome and journal (None if none)."""
    var_file = home / "staging.json"
    var_file.parent.mkdir(parents=True, exist_ok=True)
    var_file.write_text(
        json.dumps(
            {
                "configuration": configuration,
                "secrets": {"staging": {"consent_token": CONSENT_TOKEN}},
            }
        )
    )
    journal = home / "journal.json"
    journal.unlink(missing_ok=True)
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ENT_BASE_URL", "ENTDRILL_CONSENT", "ENTDRILL_POPULATION"))
    }
    env["ENTDRILL_HOME"] = str(home)
    done = subprocess.run(
        [CHAOS, "--log-file", str(home / "chaostoolkit.log"), "run", "--journal-path", str(journal),
         "--var-file", str(var_file), *extra, str(ROOT / "experiments" / experiment)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    return done, (json.loads(journal.read_text()) if journal.exists() else None)
