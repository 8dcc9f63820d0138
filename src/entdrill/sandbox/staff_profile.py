"""How the sandbox's simulated staff behave: who answers, on which channels, how fast, how.

Pure functions of the seed and the population, so a sandbox with the same configuration always
has the same people answering the same way (the delays too, message by message).

- A share ``staff_silent_share`` of the teachers and staff (rounded to whole people) never
  answers anything: the ones a drill must find unreached.
- The others read some channels only (:data:`CHANNEL_MIXES`): most read Slack, some only SMS or
  email. At least one person who answers reads Slack, and, when two or more answer, at least one
  answers SMS but not Slack, so that an escalation from Slack to SMS has someone to find.
- An answer comes after a lognormal delay whose median is ``staff_ack_median_s`` times the
  person's own speed factor, capped at :data:`MAX_DELAY_FACTOR` medians.
- A message asks for an acknowledgement when it carries the drill label ``EXERCICE / DRILL``.
- On Slack most people react with ``white_check_mark``; some reply in the thread ("reçu").
- People who read Slack read the Matrix room and their direct messages too (the chat they have
  open), and answer there the same way: a ``✅`` reaction or a reply in the thread.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from entdrill.population import Person

DRILL_LABEL = "EXERCICE / DRILL"
DRILL_PATTERN = re.compile(r"exercice\s*/\s*drill", re.IGNORECASE)
CHANNELS = ("slack", "email", "sms")
ACK_REACTION = "white_check_mark"
MATRIX_REACTION = "\u2705"  # ✅, what Matrix clients send for :white_check_mark:
SLACK_REPLIES = ("reçu", "ok", "bien reçu", "reçu, merci")
SMS_REPLIES = ("OK", "OK reçu", "Reçu")
SIMULATED_ROLES = ("teacher", "staff")
# Which channels a person who answers reads, and how many people do so (weights).
CHANNEL_MIXES: tuple[tuple[tuple[str, ...], float], ...] = (
    (("slack", "email", "sms"), 0.45),
    (("slack", "email"), 0.20),
    (("slack", "sms"), 0.10),
    (("email", "sms"), 0.10),
    (("sms",), 0.10),
    (("email",), 0.05),
)
REPLY_SHARE = 0.2  # of Slack readers, who answer with a thread reply rather than a reaction
DELAY_SIGMA = 0.5  # of the lognormal, per message
SPEED_SIGMA = 0.3  # of the per-person speed factor
MAX_DELAY_FACTOR = 5.0


@dataclass(frozen=True)
class StaffProfile:
    """How one simulated person answers."""

    username: str
    silent: bool
    channels: tuple[str, ...]  # what they read and answer on; () when silent
    slack_style: str  # "reaction" or "reply"
    speed: float  # factor on the median delay (1.0 = median person)

    def answers_on(self, channel: str) -> bool:
        if channel == "matrix":  # the chat people have open: Slack, or Tchap
            channel = "slack"
        return not self.silent and channel in self.channels

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "channels": list(self.channels)}


def simulated(people: Iterable[Person]) -> list[Person]:
    """The people the simulated staff acts for: teachers and staff, in a stable order."""
    return sorted((p for p in people if p.role in SIMULATED_ROLES), key=lambda p: p.username)


def build_profiles(
    people: Iterable[Person], seed: int, silent_share: float
) -> dict[str, StaffProfile]:
    """Every simulated person's profile, by username."""
    staff = simulated(people)
    rng = random.Random(f"{seed}:staff-profiles")
    order = [p.username for p in staff]
    rng.shuffle(order)
    silent_count = min(len(order), max(0, round(silent_share * len(order))))
    silent = set(order[:silent_count])
    answering = order[silent_count:]
    mixes = [mix for mix, _ in CHANNEL_MIXES]
    weights = [weight for _, weight in CHANNEL_MIXES]
    channels = {name: rng.choices(mixes, weights)[0] for name in answering}
    if answering and not any("slack" in channels[n] for n in answering):
        channels[answering[0]] = ("slack", "email", "sms")
    escalation = [n for n in answering if "sms" in channels[n] and "slack" not in channels[n]]
    if len(answering) >= 2 and not escalation:
        slack_readers = [n for n in answering if "slack" in channels[n]]
        change = next(n for n in reversed(answering) if slack_readers != [n])
        channels[change] = ("email", "sms")
    if answering and not any("email" in channels[n] for n in answering):
        channels[answering[0]] = (*channels[answering[0]], "email")
    profiles: dict[str, StaffProfile] = {}
    for person in staff:
        name = person.username
        profiles[name] = StaffProfile(
            username=name,
            silent=name in silent,
            channels=() if name in silent else channels[name],
            slack_style="reply" if rng.random() < REPLY_SHARE else "reaction",
            speed=round(math.exp(SPEED_SIGMA * rng.gauss(0.0, 1.0)), 3),
        )
    return profiles


def asks_for_acknowledgement(text: str) -> bool:
    """Whether a message carries the drill label (``EXERCICE / DRILL``, any case or spacing)."""
    return bool(DRILL_PATTERN.search(text))


def ack_delay(seed: int, profile: StaffProfile, ref: str, median_s: float) -> float:
    """Seconds before ``profile``'s person answers the message ``ref`` (deterministic)."""
    if median_s <= 0:
        return 0.0
    rng = random.Random(f"{seed}:{profile.username}:{ref}")
    delay = median_s * profile.speed * math.exp(DELAY_SIGMA * rng.gauss(0.0, 1.0))
    return min(delay, MAX_DELAY_FACTOR * median_s)


def reply_text(seed: int, profile: StaffProfile, ref: str, choices: tuple[str, ...]) -> str:
    """The words of one answer, picked among ``choices`` (deterministic)."""
    return random.Random(f"{seed}:{profile.username}:{ref}:text").choice(choices)


@dataclass(frozen=True)
class Arrival:
    """Something that reached a simulated person on one channel."""

    channel: str  # "slack", "email", "sms" or "matrix"
    ref: str  # unique per person and message: "slack:C123:1700000000.000100", "email:<key>"
    username: str
    author: str  # who sent it: a Slack user id, a mail address, a phone sender
    text: str  # what the person reads (for mail: subject and body)
    sent_at: float  # seconds since the epoch, by the sending component's clock
    context: dict[str, str] = field(default_factory=dict)  # what answering needs (ids, subject)


@dataclass(frozen=True)
class PlannedAck:
    """An acknowledgement a person will give, and when."""

    arrival: Arrival
    due_at: float
    how: str  # "reaction", "reply", "email" or "sms"
    text: str  # reply words ("" for a reaction)


def plan_ack(
    seed: int, profile: StaffProfile, arrival: Arrival, median_s: float, *, own_ids: set[str]
) -> PlannedAck | None:
    """The acknowledgement ``profile``'s person gives to ``arrival``, or None if they do not."""
    if not profile.answers_on(arrival.channel) or arrival.author in own_ids:
        return None
    if not asks_for_acknowledgement(arrival.text):
        return None
    due = arrival.sent_at + ack_delay(seed, profile, arrival.ref, median_s)
    if arrival.channel in ("slack", "matrix"):
        if profile.slack_style == "reply":
            return PlannedAck(
                arrival, due, "reply", reply_text(seed, profile, arrival.ref, SLACK_REPLIES)
            )
        return PlannedAck(arrival, due, "reaction", "")
    if arrival.channel == "sms":
        return PlannedAck(arrival, due, "sms", reply_text(seed, profile, arrival.ref, SMS_REPLIES))
    return PlannedAck(arrival, due, "email", "Bien reçu.")
