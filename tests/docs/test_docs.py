"""The docs cover what the code offers, their links lead somewhere, the changelog keeps its form.

Each check runs on the real pages, and once more on a doctored copy to show it can fail and
that its message names what is missing.
"""

import click
import pytest

from entdrill.cli import cli
from tests.docs import checks

PAGES = checks.doc_pages()
#: The manual: what must be documented is documented in docs/, not only in the README.
DOCS = {path: text for path, text in PAGES.items() if path.startswith("docs/")}


def _without(pages: dict[str, str], word: str) -> dict[str, str]:
    """The pages with every mention of ``word`` replaced by something else."""
    return {path: text.replace(word, "REMOVED") for path, text in pages.items()}


# --- CLI options ---------------------------------------------------------------------------


def test_the_click_tree_is_walked_into_every_subcommand() -> None:
    commands = {option.command for option in checks.cli_options(cli)}
    assert {"entdrill", "entdrill flood", "entdrill flood merge", "entdrill drill run"} <= commands
    assert "entdrill sandbox up" in commands
    assert "entdrill records verify" in commands


def test_hidden_options_are_not_asked_for() -> None:
    names = {n for option in checks.cli_options(cli) for n in option.names}
    assert "--start-at" not in names  # a flood's shard processes' own option
    assert "--help" not in names


def test_every_cli_option_is_documented_in_docs() -> None:
    missing = checks.undocumented_options(checks.cli_options(cli), DOCS)
    assert not missing, "CLI options not documented in docs/: " + ", ".join(missing)


def test_an_option_missing_from_the_docs_is_named_with_its_command() -> None:
    doctored = _without(DOCS, "--grace")
    missing = checks.undocumented_options(checks.cli_options(cli), doctored)
    assert missing == ["entdrill drill recover --grace"]


def test_an_option_documented_only_under_another_command_does_not_count() -> None:
    @click.group()
    def tool() -> None: ...

    @tool.command()
    @click.option("--rate")
    def flood(rate: str) -> None: ...

    @tool.command()
    @click.option("--rate")
    def capacity(rate: str) -> None: ...

    pages = {
        "docs/a.md": "# Storms\n\n`entdrill flood --rate 5`\n\n## Knee\n\n`entdrill capacity`\n",
    }
    missing = checks.undocumented_options(checks.cli_options(tool, "entdrill"), pages)
    assert missing == ["entdrill capacity --rate"]


def test_a_longer_option_does_not_document_a_shorter_one() -> None:
    @click.command()
    @click.option("--to")
    def tool(to: str) -> None: ...

    pages = {"docs/a.md": "entdrill takes `--to-the-end` and `--toast`"}
    assert checks.undocumented_options(checks.cli_options(tool, "entdrill"), pages) == [
        "entdrill --to"
    ]


# --- environment variables ------------------------------------------------------------------


def test_environment_variables_are_found_however_the_code_reads_them() -> None:
    source = """
import os
import click
A = os.environ.get("ENTDRILL_A", "")
B = os.getenv("ENTDRILL_B")
C = os.environ["ENTDRILL_C"]
TOKEN_ENV = "ENTDRILL_D"
URL_VARIABLE = "ENTDRILL_E"
DEFAULT_SECRET_ENV = {"slack_token": "SLACK_F", "sms_token": "SMS_G"}
def f(env):
    return env.get("ENTDRILL_H", "")
@click.option("--x", envvar="ENTDRILL_I")
def g(x): ...
NOT_A_NAME = "ENTDRILL_J"
print("ENTDRILL_K")
"""
    assert checks.environment_variables_in(source) == {
        "ENTDRILL_A",
        "ENTDRILL_B",
        "ENTDRILL_C",
        "ENTDRILL_D",
        "ENTDRILL_E",
        "SLACK_F",
        "SMS_G",
        "ENTDRILL_H",
        "ENTDRILL_I",
    }


def test_an_experiment_s_variables_are_found_wherever_it_declares_them() -> None:
    text = """{"configuration": {"url": {"key": "ENT_X", "type": "env", "default": ""}},
               "secrets": {"k8s": {"token": {"type": "env", "key": "TOKEN_Y"}}},
               "method": [{"type": "action", "key": "not-an-env"}]}"""
    assert checks.environment_variables_in_experiment(text) == {"ENT_X", "TOKEN_Y"}


def test_the_variables_of_the_code_and_of_the_experiments_are_found() -> None:
    found = checks.environment_variables()
    # read in src/ with os.environ, through a *_ENV constant, a *_VARIABLE constant, a mapping
    assert found["ENTDRILL_HOME"] == "src/entdrill/paths.py"
    assert {"ENTDRILL_ADMIN_TOKEN", "ENTDRILL_DB_URL", "SLACK_BOT_TOKEN", "MATRIX_TOKEN"} <= set(
        found
    )
    # declared by the experiments as {"type": "env", "key": ...}
    assert {"ENT_BASE_URL", "K8S_NAMESPACE", "ENTDRILL_PROBE_PASSWORD"} <= set(found)


def test_every_environment_variable_is_documented_in_docs() -> None:
    missing = checks.undocumented_names(checks.environment_variables(), DOCS)
    assert not missing, "environment variables not documented in docs/: " + ", ".join(missing)


def test_a_variable_missing_from_the_docs_is_named_with_where_it_is_read() -> None:
    doctored = _without(DOCS, "ENTDRILL_MAX_RATE")
    missing = checks.undocumented_names(checks.environment_variables(), doctored)
    assert missing == ["ENTDRILL_MAX_RATE (src/entdrill/guard/ceiling.py)"]


# --- activities -----------------------------------------------------------------------------


def test_the_activities_are_read_from_each_module_all() -> None:
    found = checks.activities()
    assert found["kill_replica"] == "actions.servers.actions"
    assert found["synthetic_login"] == "actions.login.probes"
    assert found["met_within"] == "actions.video.tolerances"
    assert "LIMITS" not in found  # limits.py exports data, not an activity


def test_every_activity_is_documented_in_docs() -> None:
    missing = checks.undocumented_activities(checks.activities(), DOCS)
    assert not missing, "activities not documented in docs/: " + ", ".join(missing)


def test_an_activity_missing_from_the_docs_is_named_with_its_module() -> None:
    doctored = {p: t.replace("resume_replica", "resume_a_replica") for p, t in DOCS.items()}
    missing = checks.undocumented_activities(checks.activities(), doctored)
    assert missing == ["actions.servers.actions.resume_replica"]


def test_the_docs_say_which_name_chaos_discover_takes() -> None:
    text = DOCS["docs/experiments.md"]
    assert "chaos discover --no-system-info --no-install entdrill" in text
    assert "`chaos discover actions`, the package's import name, does not" in text


# --- links ----------------------------------------------------------------------------------


def test_every_relative_link_and_anchor_leads_somewhere() -> None:
    broken = checks.broken_links(PAGES)
    assert not broken, "broken links:\n" + "\n".join(broken)


def test_a_link_to_a_missing_page_or_anchor_is_named_with_its_line() -> None:
    doctored = dict(PAGES)
    doctored["docs/faults.md"] = (
        PAGES["docs/faults.md"]
        + "\nSee [nowhere](nowhere.md), [a heading](drills.md#no-such-heading),\n"
        + "[here](#the-activities) and [there](#gone).\n"
    )
    last = len(doctored["docs/faults.md"].splitlines())
    assert checks.broken_links(doctored) == [
        f"docs/faults.md:{last - 1}: nowhere.md (no such file)",
        f"docs/faults.md:{last - 1}: drills.md#no-such-heading (no such anchor)",
        f"docs/faults.md:{last}: #gone (no such anchor)",
    ]


def test_a_heading_renamed_breaks_the_links_to_it() -> None:
    doctored = dict(PAGES)
    doctored["docs/capacity.md"] = PAGES["docs/capacity.md"].replace("## Measured", "## Figures")
    broken = checks.broken_links(doctored)
    assert any("docs/capacity.md#measured (no such anchor)" in line for line in broken), broken


def test_links_in_code_are_not_links_and_external_ones_are_not_checked() -> None:
    pages = {
        "docs/a.md": "# A\n\n```md\n[x](missing.md)\n```\n`[y](missing.md)` "
        "[z](https://example.org/missing) [top](#a)\n"
    }
    assert checks.broken_links(pages) == []


@pytest.mark.parametrize(
    ("heading", "anchor"),
    [
        ("Verdicts: what Chaos Toolkit does by default, and what entdrill does about it",
         "verdicts-what-chaos-toolkit-does-by-default-and-what-entdrill-does-about-it"),
        ("The sandbox's Synapse", "the-sandboxs-synapse"),
        ("Login storms: `entdrill flood`", "login-storms-entdrill-flood"),
        ("Settings of `entdrill sandbox up`", "settings-of-entdrill-sandbox-up"),
        ("Épreuves et rentrée", "épreuves-et-rentrée"),
    ],
)  # fmt: skip
def test_anchors_are_github_s(heading: str, anchor: str) -> None:
    assert checks.slug(heading) == anchor


def test_a_repeated_heading_gets_a_numbered_anchor() -> None:
    assert checks.anchors("# A\n## Notes\n## Notes\n<a id='here'></a>\n") == {
        "a",
        "notes",
        "notes-1",
        "here",
    }


# --- the README and the changelog -----------------------------------------------------------


def test_the_readme_fits_in_a_head_and_points_at_the_docs() -> None:
    readme = PAGES["README.md"]
    assert 100 <= len(readme.splitlines()) <= 250
    assert "make demo" in readme and "make test" in readme
    for page in DOCS:
        if page != "docs/README.md":
            assert f"]({page})" in readme, f"README.md does not link {page}"


def test_the_changelog_keeps_a_changelog_s_form() -> None:
    text = (checks.ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    problems = checks.changelog_problems(text)
    assert not problems, "CHANGELOG.md:\n" + "\n".join(problems)


def test_a_bullet_on_two_lines_and_a_made_up_section_are_named() -> None:
    text = (
        "# Changelog\n\nIntro text.\n\n## [Unreleased]\n\n### Added\n- one line\n"
        "- a bullet that goes\n  on\n\n### Improved\n- x\n\n### Added\n- again\n"
        "\n## [0.1.0] - 2026-12-01\n\n### Fixed\n\n## [Unreleased]\n"
    )
    assert checks.changelog_problems(text) == [
        "line 10: 'on' continues a bullet or stands alone: every change is one '- ' line",
        "line 12: '### Improved' is not one of Added, Changed, Deprecated, Removed, Fixed, Security",
        "line 15: '### Added' appears twice in [Unreleased]",
        "line 20: '### Fixed' of [0.1.0] - 2026-12-01 has no bullet",
        "line 22: '## [Unreleased]' must come before every release",
    ]


def test_a_changelog_without_its_title_or_unreleased_section_is_refused() -> None:
    assert checks.changelog_problems("## [0.1.0]\n\n### Added\n- x\n- y\n\nnotes\n") == [
        "line 1: the file must start with '# Changelog'",
        "line 7: 'notes' continues a bullet or stands alone: every change is one '- ' line",
        "no '## [Unreleased]' section",
    ]


def test_every_command_and_option_has_help() -> None:
    """`--help` is the first manual: no option of any command is shown without a sentence."""
    bare = [
        str(option) for option in checks.cli_options(cli) if not checks.option_help(cli, option)
    ]
    assert not bare, "options without help=: " + ", ".join(bare)


def test_chaos_discover_takes_entdrill_and_not_actions_as_the_docs_say() -> None:
    from chaoslib.discovery.discover import discover
    from chaoslib.exceptions import DiscoveryFailed

    discovery = discover("entdrill", discover_system=False, download_and_install=False)
    found = {activity["name"] for activity in discovery["activities"]}
    defined = {n for n, module in checks.activities().items() if not module.endswith("tolerances")}
    assert found == defined
    with pytest.raises(DiscoveryFailed, match="Package actions not found"):
        discover("actions", discover_system=False, download_and_install=False)


def test_an_option_without_help_is_found() -> None:
    @click.group()
    def tool() -> None: ...

    @tool.command()
    @click.option("--said", help="A sentence.")
    @click.option("--bare")
    def run(said: str, bare: str) -> None: ...

    options = checks.cli_options(tool, "entdrill")
    assert [str(o) for o in options if not checks.option_help(tool, o)] == ["entdrill run --bare"]
