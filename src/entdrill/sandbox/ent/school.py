"""What the portal shows: each school's homework log (cahier de textes) and each person's messages.

Pure and deterministic: the same school and day always give the same log, the same person and day
the same messages, so replicas agree without sharing anything and tests can assert on content.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections.abc import Iterable
from dataclasses import dataclass

from entdrill.population import Person

SCHOOL_DAYS_SHOWN = 5
ENTRIES_PER_DAY = 2
MESSAGES_SHOWN = 4
SUBJECTS = (
    "Mathématiques",
    "Français",
    "Histoire-géographie",
    "Anglais",
    "Physique-chimie",
    "SVT",
    "Technologie",
    "Arts plastiques",
)
TASKS = (
    "Exercices {a} à {b} page {p}",
    "Lire le chapitre {a} et répondre aux questions page {p}",
    "Apprendre la leçon {a} (contrôle la semaine prochaine)",
    "Rédiger un paragraphe argumenté ({a} lignes)",
    "Fiche de révision sur la séquence {a}",
    "Déposer le devoir maison n°{a} sur l'ENT",
)
MESSAGE_SUBJECTS = (
    "Continuité pédagogique : classes virtuelles de la semaine",
    "Réunion parents-professeurs",
    "Rappel : cahier de textes mis à jour chaque soir",
    "Sortie pédagogique : autorisation à rendre",
    "En cas de panne de l'ENT : où trouver les consignes",
    "Conseil de classe du trimestre",
)


@dataclass(frozen=True)
class HomeworkEntry:
    """One line of the homework log."""

    given_on: str  # ISO date
    due_on: str  # ISO date
    subject: str
    teacher: str
    task: str


@dataclass(frozen=True)
class Message:
    """One message of the ENT's messaging."""

    sent_on: str  # ISO date
    sender: str
    subject: str


def school_days_from(day: dt.date, count: int) -> list[dt.date]:
    """``count`` weekdays starting at ``day`` (or the next weekday)."""
    days: list[dt.date] = []
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def homework_log(school: str, teachers: Iterable[Person], today: dt.date) -> list[HomeworkEntry]:
    """The homework given in ``school`` over the next school days, by its teachers."""
    names = sorted(t.name for t in teachers) or ["Équipe pédagogique"]
    days = school_days_from(today, SCHOOL_DAYS_SHOWN + 2)
    entries: list[HomeworkEntry] = []
    for index, day in enumerate(days[:SCHOOL_DAYS_SHOWN]):
        rng = _rng(school, day.isoformat())
        for _ in range(ENTRIES_PER_DAY):
            a = rng.randint(1, 12)
            task = rng.choice(TASKS).format(a=a, b=a + rng.randint(2, 6), p=rng.randint(10, 240))
            entries.append(
                HomeworkEntry(
                    given_on=day.isoformat(),
                    due_on=days[index + rng.randint(1, 2)].isoformat(),
                    subject=rng.choice(SUBJECTS),
                    teacher=rng.choice(names),
                    task=task,
                )
            )
    return entries


def messages_for(person: Person, school_staff: Iterable[Person], today: dt.date) -> list[Message]:
    """The latest messages ``person`` received, newest first, from their school's staff."""
    senders = sorted(p.name for p in school_staff) or ["Administration de l'ENT"]
    rng = _rng(person.username, today.isoformat())
    subjects = rng.sample(MESSAGE_SUBJECTS, k=min(MESSAGES_SHOWN, len(MESSAGE_SUBJECTS)))
    return [
        Message(
            sent_on=(today - dt.timedelta(days=age)).isoformat(),
            sender=rng.choice(senders),
            subject=subject,
        )
        for age, subject in enumerate(subjects)
    ]


def _rng(*parts: str) -> random.Random:
    digest = hashlib.sha256(":".join(parts).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))
