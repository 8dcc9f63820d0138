"""Chaos Toolkit's own validation of an experiment, as the drill would run it.

``chaos validate`` would accept or refuse the file in the shell that runs ``entdrill``; a drill
runs each experiment as ``chaos run`` in a child whose environment points at the plan's target
(``ENT_BASE_URL``, ``ENTDRILL_HOME``) with the plan's ``vars`` as configuration. So
:func:`chaos_problem` runs chaoslib's ``ensure_experiment_is_valid`` on a copy of the experiment
carrying the vars, under that same environment: the structure, every activity's module,
function and arguments, the controls, and the configuration and secrets it resolves (an
environment variable a secret needs and nobody set is a problem now, not in the middle of the
drill). The process environment is put back as it was afterwards.
"""

from __future__ import annotations

import contextlib
import copy
import logging
import os
from collections.abc import Iterator
from typing import Any

from entdrill import paths
from entdrill.drill.inject import child_environment


def chaos_problem(document: dict[str, Any], variables: dict[str, Any], ent_url: str) -> str | None:
    """Why Chaos Toolkit refuses the experiment (with ``variables`` applied), or None."""
    from chaoslib.exceptions import ChaosException
    from chaoslib.experiment import ensure_experiment_is_valid

    experiment = copy.deepcopy(document)
    configuration = experiment.get("configuration")
    if isinstance(configuration, dict):
        configuration.update(copy.deepcopy(variables))
    logger = logging.getLogger("chaostoolkit")
    with _environment(child_environment(ent_url, paths.home())), _quiet(logger):
        try:
            ensure_experiment_is_valid(experiment)
        except ChaosException as error:
            return str(error).strip() or type(error).__name__
        except Exception as error:  # chaoslib lets some mistakes through as plain errors
            return f"{type(error).__name__}: {error}"
    return None


@contextlib.contextmanager
def _environment(environment: dict[str, str]) -> Iterator[None]:
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(environment)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


@contextlib.contextmanager
def _quiet(logger: logging.Logger) -> Iterator[None]:
    """chaoslib logs its verdict; the plan's problem list says it instead."""
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)
