"""The layers of entdrill, and the test that every import points down them.

Every module of ``src/entdrill`` is parsed (not imported), and every ``import`` in it counts,
including those inside functions and under ``TYPE_CHECKING``. A *unit* is a top-level module or
subpackage (``entdrill.drill.plan`` belongs to ``drill``). Layers, lowest first:

- **core**: neutral modules any layer may use (errors, paths, redaction, strict YAML reading,
  problem reporting, population reading, process facts, BBB checksums, Maildir reading, ...);
- **sandbox**: the embedded staging school, which uses only the core;
- **targets**: the seam through which the rest knows the sandbox;
- **services**: guard, records, calendar, probes, staging;
- **plan**: the typed drill plan (``drill_plan``);
- **engines**: flood, faults, channels, capacity;
- **drill**, then **review**, then **cli** (with the shipped test helpers).

A module may import from a lower layer, or from a unit of its own layer, as long as units never
import each other in a cycle. Outside ``entdrill.sandbox``, only the seam and the helpers in
``SANDBOX_IMPORTERS`` import the sandbox.
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import entdrill

SRC = Path(entdrill.__file__).parent

LAYERS: tuple[tuple[str, frozenset[str]], ...] = (
    (
        "core",
        frozenset(
            {
                "entdrill",  # the package itself: its version
                "errors",
                "paths",
                "redact",
                "ranges",
                "textfile",
                "outfile",
                "journeys",
                "problem",
                "yaml_safe",
                "processes",
                "population",
                "bbb_checksum",
                "bbb",
                "mailstore",
                "experiment_vars",
                "verdict",
            }
        ),
    ),
    ("sandbox", frozenset({"sandbox"})),
    ("targets", frozenset({"targets"})),
    (
        "services",
        frozenset(
            {"guard", "staging_keys", "var_files", "records", "calendar", "probes", "staging"}
        ),
    ),
    ("plan", frozenset({"drill_plan"})),
    ("engines", frozenset({"flood", "faults", "channels", "capacity"})),
    ("drill", frozenset({"drill"})),
    ("review", frozenset({"review"})),
    ("cli", frozenset({"cli", "testing"})),
)
LAYER_OF = {unit: index for index, (_, units) in enumerate(LAYERS) for unit in units}

#: Modules outside the sandbox that may import it: the seam, the ``entdrill sandbox`` command
#: (it starts, configures and shows the sandbox itself), and the shipped test helpers (they write
#: a sandbox's state and population for tests).
SANDBOX_IMPORTERS = frozenset(
    {"entdrill.targets.sandbox", "entdrill.cli.sandbox", "entdrill.testing"}
)


@dataclass(frozen=True)
class Arrow:
    """``source`` imports ``target`` (a module, or a name of a package) at ``line``."""

    source: str
    target: str
    line: int

    def __str__(self) -> str:
        return f"{self.source} (line {self.line}) imports {self.target}"


def unit_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def is_module(name: str) -> bool:
    """True when ``entdrill.x.y`` is a module or package of the source tree."""
    relative = Path(*name.split(".")[1:]) if "." in name else Path()
    return (SRC / relative).with_suffix(".py").is_file() or (
        SRC / relative / "__init__.py"
    ).is_file()


def arrows_of(module: str, source: str, is_package: bool = False) -> Iterator[Arrow]:
    """Every import of an entdrill module in ``source``, the code of ``module``."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "entdrill":
                    yield Arrow(module, alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")[: len(module.split(".")) - node.level + is_package]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            if target.split(".")[0] != "entdrill":
                continue
            for alias in node.names:
                name = f"{target}.{alias.name}"
                yield Arrow(module, name if is_module(name) else target, node.lineno)


def source_modules() -> Iterator[tuple[str, str, bool]]:
    """(module name, source, is a package) for every module of ``src/entdrill``."""
    for path in sorted(SRC.rglob("*.py")):
        parts = ("entdrill", *path.relative_to(SRC).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        yield ".".join(parts[:-1] if is_package else parts), path.read_text("utf-8"), is_package


def all_arrows() -> list[Arrow]:
    return [a for name, text, pkg in source_modules() for a in arrows_of(name, text, pkg)]


def wrong_way(arrows: Iterable[Arrow]) -> list[str]:
    """One sentence per arrow that points the wrong way, or per cycle between units."""
    problems = []
    edges: dict[str, dict[str, Arrow]] = {}
    for arrow in arrows:
        source, target = unit_of(arrow.source), unit_of(arrow.target)
        for unit in (source, target):
            if unit not in LAYER_OF:
                problems.append(f"{arrow}: {unit!r} is in no layer; place it in LAYERS")
        if source not in LAYER_OF or target not in LAYER_OF:
            continue
        if target == "sandbox" and source != "sandbox" and arrow.source not in SANDBOX_IMPORTERS:
            problems.append(
                f"{arrow}: only the seam (entdrill.targets.sandbox) may import the sandbox"
            )
        if source == target:
            continue
        if LAYER_OF[target] > LAYER_OF[source]:
            problems.append(
                f"{arrow}: {source} (layer {LAYERS[LAYER_OF[source]][0]}) may not use "
                f"{target} (layer {LAYERS[LAYER_OF[target]][0]}, above it)"
            )
        edges.setdefault(source, {}).setdefault(target, arrow)
    problems.extend(cycles(edges))
    return list(dict.fromkeys(problems))  # one sentence per import line


def cycles(edges: dict[str, dict[str, Arrow]]) -> list[str]:
    """A sentence per cycle between units, naming one import of each of its arrows."""
    found: list[str] = []
    seen: set[frozenset[str]] = set()

    def walk(unit: str, path: list[str]) -> None:
        for nxt in sorted(edges.get(unit, {})):
            if nxt in path:
                loop = [*path[path.index(nxt) :], nxt]
                if frozenset(loop) not in seen:
                    seen.add(frozenset(loop))
                    hops = "; ".join(str(edges[a][b]) for a, b in itertools.pairwise(loop))
                    found.append(f"cycle {' -> '.join(loop)}: {hops}")
            elif len(path) < len(edges) + 1:
                walk(nxt, [*path, nxt])

    for start in sorted(edges):
        walk(start, [start])
    return found


def test_every_import_of_entdrill_points_down_its_layers() -> None:
    arrows = all_arrows()
    assert len(arrows) > 500  # the walk saw the code base, not an empty tree
    assert wrong_way(arrows) == []


def test_a_module_importing_a_higher_layer_is_named() -> None:
    fake = arrows_of(
        "entdrill.calendar.fake", "def f():\n    from entdrill.drill.plan import load_plan\n"
    )
    assert wrong_way(fake) == [
        "entdrill.calendar.fake (line 2) imports entdrill.drill.plan: calendar (layer services) "
        "may not use drill (layer drill, above it)"
    ]


def test_a_module_importing_the_sandbox_around_the_seam_is_named() -> None:
    fake = arrows_of("entdrill.drill.fake", "from entdrill.sandbox import supervisor\n")
    assert wrong_way(fake) == [
        "entdrill.drill.fake (line 1) imports entdrill.sandbox.supervisor: only the seam "
        "(entdrill.targets.sandbox) may import the sandbox"
    ]


def test_units_of_one_layer_importing_each_other_are_a_named_cycle() -> None:
    arrows = [
        *arrows_of("entdrill.channels.fake", "from entdrill.flood import plan\n"),
        *arrows_of("entdrill.flood.fake", "import entdrill.channels.base\n"),
    ]
    assert wrong_way(arrows) == [
        "cycle channels -> flood -> channels: entdrill.channels.fake (line 1) imports "
        "entdrill.flood.plan; entdrill.flood.fake (line 1) imports entdrill.channels.base"
    ]


def test_a_package_in_no_layer_is_named() -> None:
    fake = arrows_of("entdrill.newthing", "from entdrill import errors\n")
    assert wrong_way(fake) == [
        "entdrill.newthing (line 1) imports entdrill.errors: 'newthing' is in no layer; "
        "place it in LAYERS"
    ]


def test_relative_and_function_level_imports_are_seen() -> None:
    arrows = list(
        arrows_of(
            "entdrill.drill.runner",
            "from . import journal\nfrom ..flood import plan\ndef f():\n    import entdrill.review\n",
        )
    )
    assert [a.target for a in arrows] == [
        "entdrill.drill.journal",
        "entdrill.flood.plan",
        "entdrill.review",
    ]
