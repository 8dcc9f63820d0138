"""The version is written once, in pyproject.toml, and every place that shows it reads it."""

import tomllib
from pathlib import Path

from click.testing import CliRunner

import actions
import entdrill
from entdrill.cli import cli
from entdrill.cli.schedule import DEFAULT_IMAGE

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def pyproject_version() -> str:
    return str(tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]["version"])


def test_package_version_is_the_one_in_pyproject() -> None:
    assert entdrill.__version__ == pyproject_version()


def test_version_option_prints_the_pyproject_version() -> None:
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"entdrill, version {pyproject_version()}\n"


def test_extension_and_default_image_carry_the_same_version() -> None:
    assert actions.__version__ == pyproject_version()
    assert f"entdrill:{pyproject_version()}" == DEFAULT_IMAGE
