"""The search's child process gets every journey and target option the user gave."""

from __future__ import annotations

from pathlib import Path

import click

from entdrill.capacity.child import TARGET_FIELDS, child_argv, search_options
from entdrill.capacity.settings import SearchSettings
from entdrill.cli.flood_options import target_options
from entdrill.flood.plan import FloodOptions


def test_every_target_option_but_the_consent_token_is_passed_on() -> None:
    @target_options
    def command(**values: object) -> None: ...

    names = {
        p.name for p in getattr(command, "__click_params__", []) if isinstance(p, click.Option)
    }
    assert names - {"consent_token"} == set(TARGET_FIELDS)


def test_a_form_journey_reaches_the_child_options() -> None:
    options = FloodOptions(
        target="http://127.0.0.1:9",
        scenario="pupil-login",
        journey="form",
        login_url="http://127.0.0.1:9/accounts/login/?next=%2F",
        login_success="cookie:sessionid",
    )
    settings = SearchSettings(start=1.0, stop=4.0, factor=2.0, step_s=1.0)
    args = search_options(options, settings)
    pairs = dict(zip(args[::2], args[1::2], strict=True))
    assert pairs["--journey"] == "form"
    assert pairs["--login-url"] == "http://127.0.0.1:9/accounts/login/?next=%2F"
    assert pairs["--login-success"] == "cookie:sessionid"


def test_the_child_command_line_shows_no_option_a_password_could_hide_in(tmp_path: Path) -> None:
    """A command line is world-readable (``ps``): the target travels in the environment."""
    options = FloodOptions(target="http://drill:s3cret-pw@127.0.0.1:9", scenario="pupil-login")
    settings = SearchSettings(start=1.0, stop=4.0, factor=2.0, step_s=1.0)
    command = child_argv(tmp_path / "r.json")
    assert command[1:] == ["-m", "entdrill.cli.capacity", "--report", str(tmp_path / "r.json")]
    passed = search_options(options, settings)
    assert passed[passed.index("--target") + 1] == "http://drill:s3cret-pw@127.0.0.1:9"
    assert not any("s3cret" in part for part in command)
