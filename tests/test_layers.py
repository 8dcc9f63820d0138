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

The packages in ``PUBLIC_FACES`` list in ``__all__`` what other packages may use; other packages
import only those names, from the package itself (``from entdrill.flood import FloodOptions``,
never ``from entdrill.flood.plan import FloodOptions``).
"""

from __future__ import annotations

import ast
import importlib
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

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
                "child_options",
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
                "retry",
                "sqlite_wal",
                "lazy",
            }
        ),
    ),
    ("sandbox", frozenset({"sandbox"})),
    ("targets", frozenset({"targets"})),
    (
        "services",
        frozenset(
            {
                "guard",
                "staging_keys",
                "var_files",
                "records",
                "calendar",
                "probes",
                "staging",
                "monitoring",
            }
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

#: Packages whose ``__all__`` is all other packages may use of them.
PUBLIC_FACES = ("drill", "flood", "records", "review", "sandbox")


@dataclass(frozen=True)
class Arrow:
    """``source`` imports ``target`` (a module, or ``name`` of a package) at ``line``."""

    source: str
    target: str
    line: int
    name: str = ""

    def __str__(self) -> str:
        what = f"{self.name} from {self.target}" if self.name else self.target
        return f"{self.source} (line {self.line}) imports {what}"


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
                if is_module(name):
                    yield Arrow(module, name, node.lineno)
                else:
                    yield Arrow(module, target, node.lineno, alias.name)


def source_modules() -> Iterator[tuple[str, str, bool]]:
    """(module name, source, is a package) for every module of ``src/entdrill``."""
    for path in sorted(SRC.rglob("*.py")):
        parts = ("entdrill", *path.relative_to(SRC).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        yield ".".join(parts[:-1] if is_package else parts), path.read_text("utf-8"), is_package


def extension_arrows() -> list[Arrow]:
    """Imports of entdrill in the Chaos Toolkit extension (``actions``), another package."""
    import actions

    root = Path(actions.__file__).parent
    found = []
    for path in sorted(root.rglob("*.py")):
        parts = ("actions", *path.relative_to(root).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        name = ".".join(parts[:-1] if is_package else parts)
        found += arrows_of(name, path.read_text("utf-8"), is_package)
    return [a for a in found if a.target.startswith("entdrill")]


def all_arrows() -> list[Arrow]:
    return [a for name, text, pkg in source_modules() for a in arrows_of(name, text, pkg)]


def exported(unit: str) -> list[str]:
    """The ``__all__`` of ``entdrill.<unit>``, read from its source."""
    tree = ast.parse((SRC / unit / "__init__.py").read_text("utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            assert isinstance(node.value, ast.List)
            return [str(ast.literal_eval(element)) for element in node.value.elts]
    return []


def through_public_face(arrow: Arrow) -> str:
    """A sentence when ``arrow`` reaches into a package of ``PUBLIC_FACES`` past its ``__all__``."""
    unit = unit_of(arrow.target)
    inside = arrow.source.startswith("entdrill") and unit_of(arrow.source) == unit
    if unit not in PUBLIC_FACES or inside:
        return ""
    if arrow.target == f"entdrill.{unit}" and arrow.name in exported(unit):
        return ""
    return (
        f"{arrow}: other packages use only the names in entdrill.{unit}.__all__, "
        f"imported from entdrill.{unit}"
    )


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
        if through_public_face(arrow):
            problems.append(through_public_face(arrow))
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


def test_the_extension_uses_only_the_public_faces() -> None:
    arrows = extension_arrows()
    assert any(unit_of(a.target) == "flood" for a in arrows)  # it was read
    assert [p for a in arrows if (p := through_public_face(a))] == []


def test_the_extension_reaching_past_a_public_face_is_named() -> None:
    fake = arrows_of("actions.drill.fake", "from entdrill.drill.runner import run_drill\n")
    assert [through_public_face(a) for a in fake] == [
        "actions.drill.fake (line 1) imports run_drill from entdrill.drill.runner: other "
        "packages use only the names in entdrill.drill.__all__, imported from entdrill.drill"
    ]


def test_a_module_importing_a_higher_layer_is_named() -> None:
    fake = arrows_of(
        "entdrill.calendar.fake", "def f():\n    from entdrill.drill import load_plan\n"
    )
    assert wrong_way(fake) == [
        "entdrill.calendar.fake (line 2) imports load_plan from entdrill.drill: calendar "
        "(layer services) may not use drill (layer drill, above it)"
    ]


def test_a_module_importing_the_sandbox_around_the_seam_is_named() -> None:
    fake = arrows_of("entdrill.drill.fake", "from entdrill.sandbox import Supervisor\n")
    assert wrong_way(fake) == [
        "entdrill.drill.fake (line 1) imports Supervisor from entdrill.sandbox: only the seam "
        "(entdrill.targets.sandbox) may import the sandbox"
    ]


def test_units_of_one_layer_importing_each_other_are_a_named_cycle() -> None:
    arrows = [
        *arrows_of("entdrill.channels.fake", "from entdrill.flood import FloodOptions\n"),
        *arrows_of("entdrill.flood.fake", "import entdrill.channels.base\n"),
    ]
    assert wrong_way(arrows) == [
        "cycle channels -> flood -> channels: entdrill.channels.fake (line 1) imports "
        "FloodOptions from entdrill.flood; entdrill.flood.fake (line 1) imports "
        "entdrill.channels.base"
    ]


def test_a_package_in_no_layer_is_named() -> None:
    fake = arrows_of("entdrill.newthing", "from entdrill import errors\n")
    assert wrong_way(fake) == [
        "entdrill.newthing (line 1) imports entdrill.errors: 'newthing' is in no layer; "
        "place it in LAYERS"
    ]


def test_a_module_reaching_past_a_public_face_is_named() -> None:
    fake = arrows_of(
        "entdrill.cli.fake",
        "from entdrill.flood.plan import FloodOptions\n"
        "from entdrill.records import _private, open_records\n"
        "from entdrill.drill import runner\n",
    )
    assert wrong_way(fake) == [
        "entdrill.cli.fake (line 1) imports FloodOptions from entdrill.flood.plan: other "
        "packages use only the names in entdrill.flood.__all__, imported from entdrill.flood",
        "entdrill.cli.fake (line 2) imports _private from entdrill.records: other packages use "
        "only the names in entdrill.records.__all__, imported from entdrill.records",
        "entdrill.cli.fake (line 3) imports entdrill.drill.runner: other packages use only the "
        "names in entdrill.drill.__all__, imported from entdrill.drill",
    ]


def bound_by_imports(unit: str) -> dict[str, tuple[str, str]]:
    """Names the ``__init__`` of ``entdrill.<unit>`` binds by importing from its own modules
    (under ``TYPE_CHECKING`` too): name -> (module, name there)."""
    tree = ast.parse((SRC / unit / "__init__.py").read_text("utf-8"))
    return {
        alias.asname or alias.name: (node.module or "", alias.name)
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(f"entdrill.{unit}.")
        for alias in node.names
    }


@pytest.mark.parametrize("unit", PUBLIC_FACES)
def test_all_lists_exactly_what_the_package_exports(unit: str) -> None:
    package = importlib.import_module(f"entdrill.{unit}")
    public = exported(unit)
    assert public == package.__all__
    assert len(set(public)) == len(public), "a name is listed twice"
    assert set(public) == set(bound_by_imports(unit)), "__all__ and the imports differ"
    for name, (module, attribute) in bound_by_imports(unit).items():
        assert getattr(package, name) is getattr(importlib.import_module(module), attribute), name
    assert not hasattr(package, "no_such_name")


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
