"""The simulated staff's behaviour model: pure, seeded, tested without sockets."""

from __future__ import annotations

import statistics

import pytest

from entdrill.population import generate
from entdrill.sandbox.config import SandboxConfig
from entdrill.sandbox.staff_profile import (
    Arrival,
    ack_delay,
    asks_for_acknowledgement,
    build_profiles,
    plan_ack,
    simulated,
)


def profiles(seed: int = 2021, share: float = 0.2, schools: int = 2) -> dict:
    people = generate(SandboxConfig(seed=seed, schools=schools, pupils_per_school=2))
    return build_profiles(people, seed, share)


def test_the_same_seed_gives_the_same_people_the_same_behaviour() -> None:
    assert profiles(7) == profiles(7)
    assert profiles(7) != profiles(8)


def test_only_teachers_and_staff_are_simulated() -> None:
    people = generate(SandboxConfig(schools=1, pupils_per_school=3))
    assert {p.role for p in simulated(people)} == {"teacher", "staff"}
    assert set(build_profiles(people, 1, 0.2)) == {p.username for p in simulated(people)}


@pytest.mark.parametrize("share", [0.0, 0.2, 0.5, 1.0])
def test_the_silent_share_is_a_whole_number_of_people_who_answer_nothing(share: float) -> None:
    found = profiles(share=share)
    silent = [p for p in found.values() if p.silent]
    assert len(silent) == round(share * len(found))
    assert all(p.channels == () and not p.answers_on("slack") for p in silent)


@pytest.mark.parametrize("seed", range(30))
def test_someone_answers_on_slack_and_someone_only_off_slack_by_sms(seed: int) -> None:
    answering = [p for p in profiles(seed, schools=1).values() if not p.silent]
    assert any(p.answers_on("slack") for p in answering)
    assert any(p.answers_on("email") for p in answering)
    assert any(p.answers_on("sms") and not p.answers_on("slack") for p in answering)


def test_most_answering_people_read_slack() -> None:
    answering = [p for p in profiles(schools=6).values() if not p.silent]
    share = sum(p.answers_on("slack") for p in answering) / len(answering)
    assert 0.6 <= share < 1.0


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("EXERCICE / DRILL : passez sur le canal de secours", True),
        ("[exercice/drill] test", True),
        ("Exercice  /  Drill", True),
        ("Réunion demain", False),
        ("exercice de maths", False),
    ],
)
def test_the_drill_label_is_what_asks_for_an_acknowledgement(text: str, asks: bool) -> None:
    assert asks_for_acknowledgement(text) is asks


def test_delays_are_deterministic_lognormal_around_the_median_and_capped() -> None:
    person = next(p for p in profiles().values() if not p.silent)
    delays = [ack_delay(1, person, f"ref-{i}", 8.0) for i in range(2000)]
    assert delays == [ack_delay(1, person, f"ref-{i}", 8.0) for i in range(2000)]
    assert 0.6 * 8.0 * person.speed < statistics.median(delays) < 1.4 * 8.0 * person.speed
    assert max(delays) <= 5 * 8.0 and min(delays) > 0
    assert ack_delay(1, person, "x", 0.0) == 0.0


def arrival(channel: str, text: str, author: str = "U0ENTDRILL") -> Arrival:
    return Arrival(channel, f"{channel}:1", "someone", author, text, 1000.0)


def test_a_plan_answers_drill_messages_on_read_channels_only() -> None:
    found = profiles()
    reader = next(p for p in found.values() if p.answers_on("slack"))
    silent = next(p for p in found.values() if p.silent)
    drill = arrival("slack", "EXERCICE / DRILL")
    planned = plan_ack(1, reader, drill, 2.0, own_ids=set())
    assert planned is not None and planned.due_at >= 1000.0
    assert planned.how == ("reaction" if reader.slack_style == "reaction" else "reply")
    assert plan_ack(1, silent, drill, 2.0, own_ids=set()) is None
    assert plan_ack(1, reader, arrival("slack", "bonjour"), 2.0, own_ids=set()) is None
    assert plan_ack(1, reader, drill, 2.0, own_ids={"U0ENTDRILL"}) is None  # their own post
    off_slack = next(p for p in found.values() if p.answers_on("sms") and not p.answers_on("slack"))
    assert plan_ack(1, off_slack, drill, 2.0, own_ids=set()) is None
    sms = plan_ack(1, off_slack, arrival("sms", "EXERCICE / DRILL"), 2.0, own_ids=set())
    assert sms is not None and sms.how == "sms" and sms.text


def test_people_answer_on_matrix_as_on_slack_the_chat_they_have_open() -> None:
    found = profiles()
    assert all(p.answers_on("matrix") == p.answers_on("slack") for p in found.values())
    reader = next(p for p in found.values() if p.answers_on("matrix"))
    tchap = arrival("matrix", "[EXERCICE / DRILL] la visio est en panne")
    planned = plan_ack(1, reader, tchap, 2.0, own_ids=set())
    assert planned is not None and planned.how == reader.slack_style
    assert (planned.text == "") == (reader.slack_style == "reaction")
    off_chat = next(p for p in found.values() if not p.silent and not p.answers_on("slack"))
    assert plan_ack(1, off_chat, tchap, 2.0, own_ids=set()) is None
