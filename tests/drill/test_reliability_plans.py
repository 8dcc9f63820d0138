"""Every plan under drills/ and every experiment it names passes validation, strictly."""

from __future__ import annotations

from pathlib import Path

import pytest
from chaoslib.experiment import ensure_experiment_is_valid
from chaoslib.loader import load_experiment

from entdrill.drill.inject import fault_plan, read_experiment
from entdrill.drill.plan import load_plan

DRILLS = Path(__file__).resolve().parents[2] / "drills"
PLANS = sorted(DRILLS.glob("*.yaml"))
EXPERIMENTS = sorted({e.path.resolve() for p in PLANS for e in load_plan(p).experiments})


@pytest.mark.parametrize("path", PLANS, ids=[p.name for p in PLANS])
def test_every_plan_under_drills_validates_with_its_experiment_files(path: Path) -> None:
    plan = load_plan(path)  # check_files: every experiment named must exist and be valid JSON
    assert plan.experiments


@pytest.mark.parametrize("experiment", EXPERIMENTS, ids=[p.name for p in EXPERIMENTS])
def test_every_experiment_a_plan_names_passes_chaos_toolkit_validation(experiment: Path) -> None:
    ensure_experiment_is_valid(load_experiment(str(experiment)))


@pytest.mark.parametrize("path", PLANS, ids=[p.name for p in PLANS])
def test_every_plan_var_is_a_configuration_key_of_its_experiment(path: Path) -> None:
    for ref in load_plan(path).experiments:
        configuration = read_experiment(ref.path).get("configuration", {})
        assert set(ref.vars) <= set(configuration), ref.written


def test_pre_holiday_injects_the_bridge_outage_and_the_capacity_search_loads_the_ent() -> None:
    plan = load_plan(DRILLS / "pre_holiday.yaml")
    planned = {fault_plan(r, read_experiment(r.path))["kind"]: r for r in plan.experiments}
    outage = fault_plan(
        planned["video_bridge_outage"], read_experiment(planned["video_bridge_outage"].path)
    )
    assert [f["func"] for f in outage["faults"]] == ["bridge_down"]
    assert [r["func"] for r in outage["rollbacks"]] == ["restore_bridge"]
    search = fault_plan(
        planned["capacity_search"], read_experiment(planned["capacity_search"].path)
    )
    assert search["faults"] == [] and search["actions"] == []  # it measures, injects nothing
    assert search["configuration"]["required_multiple"] == 100
