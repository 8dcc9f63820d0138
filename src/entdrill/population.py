"""A school's people: pupils, parents, teachers, school staff and the académie's teams.

Generated from a seed, so the same configuration always yields the same people and credentials.
Written to ``population.csv`` with the columns ``username,password,role,school,email`` first
(what a flood's ``--users`` reads), then ``name,title,phone,slack_id,matrix_id``.
"""

from __future__ import annotations

import csv
import hashlib
import random
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Protocol

from entdrill.errors import InvalidInput

ROLES = ("pupil", "parent", "teacher", "staff")
COLUMNS = (
    "username",
    "password",
    "role",
    "school",
    "email",
    "name",
    "title",
    "phone",
    "slack_id",
    "matrix_id",
)
ACADEMIE = "academie"
SCHOOL_NAMES = (
    "college-jean-moulin",
    "lycee-marie-curie",
    "ecole-jules-ferry",
    "college-simone-veil",
    "lycee-victor-hugo",
    "ecole-louise-michel",
)
FIRST_NAMES = (
    "Camille",
    "Léa",
    "Louis",
    "Emma",
    "Gabriel",
    "Jade",
    "Raphaël",
    "Chloé",
    "Arthur",
    "Inès",
    "Hugo",
    "Manon",
    "Jules",
    "Sarah",
    "Lucas",
    "Zoé",
    "Adam",
    "Lina",
    "Nathan",
    "Rose",
    "Ethan",
    "Anna",
    "Paul",
    "Alice",
    "Nolan",
    "Lou",
    "Tom",
    "Mila",
    "Théo",
    "Eva",
)
LAST_NAMES = (
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefebvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "François",
    "Martinez",
    "Legrand",
)
# Per school: the head, the education counsellor, the digital lead. Académie-wide: DANE, DSI, on-call.
SCHOOL_STAFF_TITLES = ("chef-etablissement", "cpe", "referent-numerique")
ACADEMIE_TITLES = ("dane", "dsi", "astreinte-ent", "astreinte-ent")
TEACHERS_PER_SCHOOL = 8


class PopulationSettings(Protocol):
    """What generating a population reads (a sandbox configuration has it)."""

    @property
    def seed(self) -> int: ...

    @property
    def school_domain(self) -> str: ...

    @property
    def schools(self) -> int: ...

    @property
    def pupils_per_school(self) -> int: ...


@dataclass(frozen=True)
class Person:
    username: str
    password: str
    role: str
    school: str
    email: str
    name: str
    title: str = ""
    phone: str = ""
    slack_id: str = ""
    matrix_id: str = ""  # @username:school_domain, on the sandbox's Matrix homeserver

    @property
    def on_slack(self) -> bool:
        return bool(self.slack_id)


def generate(config: PopulationSettings) -> list[Person]:
    """The whole population of a sandbox with this configuration."""
    rng = random.Random(config.seed)
    taken: set[str] = set()
    people: list[Person] = []
    phone_counter = iter(range(10_000_000))

    def person(role: str, school: str, title: str = "") -> Person:
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        base = _ascii(f"{first}.{last}").lower()
        username, n = base, 1
        while username in taken:
            n += 1
            username = f"{base}{n}"
        taken.add(username)
        password = "".join(rng.choice("abcdefghjkmnpqrstuvwxyz23456789") for _ in range(10))
        staff_like = role in ("teacher", "staff")
        return Person(
            username=username,
            password=password,
            role=role,
            school=school,
            email=f"{username}@{config.school_domain}",
            name=f"{first} {last}",
            title=title,
            phone=f"+3376{next(phone_counter):07d}" if staff_like or role == "parent" else "",
            slack_id=_slack_id(config.seed, username) if staff_like else "",
            matrix_id=matrix_id(username, config.school_domain) if staff_like else "",
        )

    schools = [
        SCHOOL_NAMES[i % len(SCHOOL_NAMES)] + ("" if i < len(SCHOOL_NAMES) else f"-{i}")
        for i in range(config.schools)
    ]
    for school in schools:
        people.extend(person("staff", school, title) for title in SCHOOL_STAFF_TITLES)
        people.extend(person("teacher", school) for _ in range(TEACHERS_PER_SCHOOL))
        for _ in range(config.pupils_per_school):
            people.append(person("pupil", school))
            people.append(person("parent", school))
    people.extend(person("staff", ACADEMIE, title) for title in ACADEMIE_TITLES)
    return people


def write_csv(people: Iterable[Person], path: Path) -> None:
    """Write ``people`` to ``path`` (atomically, readable by the owner only)."""
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        for p in people:
            writer.writerow(asdict(p))
    tmp.chmod(0o600)
    tmp.replace(path)


def read_csv(path: Path) -> list[Person]:
    """Read a population file; missing optional columns read as empty."""
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            missing = {"username", "password", "role"} - set(reader.fieldnames or [])
            if missing:
                raise InvalidInput(
                    f"{path}: population file lacks column(s) {', '.join(sorted(missing))}; "
                    "expected a header with username,password,role,school,email"
                )
            names = {f.name for f in fields(Person)}
            return [Person(**{k: (row.get(k) or "") for k in names}) for row in reader]
    except OSError as error:
        raise InvalidInput(f"cannot read population file {path}: {error.strerror}") from error


def by_username(people: Iterable[Person]) -> dict[str, Person]:
    return {p.username: p for p in people}


def matrix_id(username: str, server_name: str) -> str:
    """The Matrix user id of ``username`` on the homeserver ``server_name``."""
    return f"@{username}:{server_name}"


def _slack_id(seed: int, username: str) -> str:
    digest = hashlib.sha256(f"{seed}:{username}".encode()).hexdigest().upper()
    return "U" + "".join(c for c in digest if c.isalnum())[:10]


def _ascii(text: str) -> str:
    table = str.maketrans("éèêëàâäîïôöùûüçÉÈÊÀÂÎÔÙÛÇ", "eeeeaaaiioouuucEEEAAIOUUC")
    return text.translate(table).replace(" ", "")
