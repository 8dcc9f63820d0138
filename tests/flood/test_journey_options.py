"""``entdrill flood``'s journey options: bad ones are one sentence, and every URL of the journey
is a target the guard checks (a service URL outside the allow-list is refused like a target)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.flood.conftest import TOKEN
from tests.flood.servers import LiveServer
from tests.flood.test_cli import invoke
from tests.flood.test_scenarios import PEOPLE, write_users


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--journey", "form"],
            "Error: the form login journey needs --login-url: the URL of the ENT's login page",
        ),
        (
            ["--journey", "form", "--login-url", "/login"],
            "Error: --login-url must be an http(s) URL",
        ),
        (
            [
                "--journey",
                "form",
                "--login-url",
                "http://127.0.0.1:1/login",
                "--login-success",
                "session",
            ],
            "Error: --login-success 'session' is not a success test",
        ),
        (
            ["--login-success", "cookie:sessionid"],
            "Error: --login-success goes with the form journey only",
        ),
        (["--service-url", "ent/accounts/login/"], "Error: --service-url must be an http(s) URL"),
        (
            ["--journey", "saml"],
            "Invalid value for '--journey': 'saml' is not one of 'cas', 'cas-portal', 'form'",
        ),
    ],
)
def test_bad_journey_options_are_one_sentence_and_nothing_is_sent(
    server: LiveServer, tmp_path: Path, args: list[str], message: str
) -> None:
    users = write_users(tmp_path / "users.csv", PEOPLE)
    code, output = invoke("--target", server.url, "--scenario", "pupil-login", "--users", str(users),
                          "--rate", "1", "--duration", "1", "--consent-token", TOKEN, *args)  # fmt: skip
    assert code == 2, output
    assert message in output and "Traceback" not in output
    assert server.state.seen == []


def test_a_service_url_outside_the_allow_list_is_refused_like_a_target(
    server: LiveServer, tmp_path: Path
) -> None:
    users = write_users(tmp_path / "users.csv", PEOPLE)
    code, output = invoke("--target", server.url, "--scenario", "pupil-login", "--users", str(users),
                          "--service-url", "https://ent.example.fr/accounts/login/", "--rate", "1",
                          "--duration", "1", "--consent-token", TOKEN)  # fmt: skip
    assert code == 3, output
    assert "ent.example.fr" in output and "allow-list" in output
    assert server.state.seen == []
