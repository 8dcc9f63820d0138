"""What the docs must cover, and the checks that find what they miss.

Each check is a pure function from the project's facts (the click tree, the source files, the
activities, the Markdown pages) to the list of what is missing or broken, so a test can feed it
a doctored page and see it fail. The lists name each item (``entdrill flood --rate``,
``ENTDRILL_MAX_RATE (src/entdrill/guard/ceiling.py:12)``, ``docs/faults.md:12: #nowhere``).
"""

import ast
import importlib
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"

#: An environment variable's name, as the code spells it.
ENV_NAME = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$")
#: A module-level name that holds environment variable names (``ENV``, ``TOKEN_ENV``,
#: ``URL_VARIABLE``, ``DEFAULT_SECRET_ENV``).
ENV_HOLDER = re.compile(r"(?:^|_)(?:ENV|VARIABLE|ENV_VARS?)$")
#: Calls that read a variable: ``os.environ.get("X")``, ``os.getenv("X")``, ``env.get("X")``.
READ_CALLS = {"get", "getenv", "pop", "setdefault"}
ENV_OBJECTS = {"environ", "env", "environment", "os"}


def doc_pages(root: Path = ROOT) -> dict[str, str]:
    """README.md and every page under docs/, by path relative to ``root``."""
    paths = [root / "README.md", *sorted((root / "docs").glob("*.md"))]
    return {path.relative_to(root).as_posix(): path.read_text(encoding="utf-8") for path in paths}


# --- CLI options ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CliOption:
    """One option of one command: ``command`` is the path (``entdrill drill run``)."""

    command: str
    names: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.command} {'/'.join(self.names)}"


def cli_options(root_command: click.Command, name: str = "entdrill") -> list[CliOption]:
    """Every option of every command and subcommand, walking the click tree from the root.

    Hidden options (what a flood's parent process hands its shard processes) are not the
    user's, and are left out.
    """
    found: list[CliOption] = []

    def walk(command: click.Command, path: str, parent: click.Context | None) -> None:
        ctx = click.Context(command, info_name=path.rsplit(" ", 1)[-1], parent=parent)
        for param in command.params:
            if isinstance(param, click.Option) and not param.hidden:
                names = tuple(n for n in (*param.opts, *param.secondary_opts) if n != "--help")
                if names:
                    found.append(CliOption(path, names))
        if isinstance(command, click.Group):
            for sub in command.list_commands(ctx):
                child = command.get_command(ctx, sub)
                if child is not None and not child.hidden:
                    walk(child, f"{path} {sub}", ctx)

    walk(root_command, name, None)
    return found


def _mentions(text: str, word: str) -> bool:
    """Whether ``word`` (an option or a name) appears in ``text`` as a whole word."""
    return re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text) is not None


def sections(text: str) -> list[str]:
    """A page cut at its headings; each part carries the headings above it (its page's title,
    its chapter), so a section under ``# entdrill flood`` is about ``entdrill flood``."""
    parts: list[str] = []
    stack: list[tuple[int, str]] = []
    body: list[str] = []
    fenced = False
    for line in [*text.splitlines(), "# end"]:
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        match = None if fenced else HEADING.match(line)
        if match is None:
            body.append(line)
            continue
        parts.append("\n".join([*(h for _, h in stack), *body]))
        level = len(match.group(1))
        stack = [(lvl, h) for lvl, h in stack if lvl < level] + [(level, line)]
        body = []
    return parts


def undocumented_options(options: Iterable[CliOption], pages: Mapping[str, str]) -> list[str]:
    """The options no section of the docs documents next to their command.

    An option counts as documented when a section (with its headings) that names its command
    (``entdrill drill run``, or ``drill run`` in a table of commands) also names one of the
    option's spellings; the root's own options (``entdrill --verbose``) may be anywhere.
    """
    parts = [part for text in pages.values() for part in sections(text)]
    missing: list[str] = []
    for option in options:
        sub = option.command.removeprefix("entdrill").strip()
        candidates = [
            part
            for part in parts
            if not sub or _mentions(part, f"entdrill {sub}") or _mentions(part, f"`{sub}")
        ]
        if not any(_mentions(part, n) for part in candidates for n in option.names):
            missing.append(str(option))
    return missing


# --- environment variables ------------------------------------------------------------------


def _strings(node: ast.AST) -> Iterator[str]:
    """The string constants of a value: a string, or the values of a dict, list or tuple."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, ast.Dict):
        for value in node.values:
            if value is not None:
                yield from _strings(value)
    elif isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        for element in node.elts:
            yield from _strings(element)


def _receiver(node: ast.AST) -> str:
    """The last name of a call's receiver: ``os.environ.get`` -> ``environ``."""
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return ""


def environment_variables_in(source: str) -> set[str]:
    """The environment variable names one Python module reads or names as such.

    Found: ``os.environ.get("X")``, ``os.getenv("X")``, ``os.environ["X"]``, ``env.get("X")``
    on an environment mapping, ``envvar="X"`` of click, and constants held by a name ending in
    ``ENV`` or ``VARIABLE`` (``TOKEN_ENV = "X"``, ``DEFAULT_SECRET_ENV = {"k": "X"}``).
    """
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            func = node.func
            reads = (
                isinstance(func, ast.Attribute)
                and func.attr in READ_CALLS
                and _receiver(func.value) in ENV_OBJECTS
            )
            if reads and node.args:
                names.update(_strings(node.args[0]))
            for keyword in node.keywords:
                if keyword.arg == "envvar":
                    names.update(_strings(keyword.value))
        if isinstance(node, ast.Subscript) and _receiver(node.value) == "environ":
            names.update(_strings(node.slice))
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and ENV_HOLDER.search(t.id) for t in targets):
                names.update(_strings(node.value))
    return {name for name in names if ENV_NAME.match(name)}


def environment_variables_in_experiment(text: str) -> set[str]:
    """The variables a Chaos Toolkit experiment reads: every ``{"type": "env", "key": "X"}``
    in its configuration and secrets, at any depth."""
    found: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("type") == "env" and isinstance(node.get("key"), str):
                found.add(node["key"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(text))
    return found


def environment_variables(root: Path = ROOT) -> dict[str, str]:
    """Every environment variable the code and the experiments read: name -> first file."""
    found: dict[str, str] = {}
    for directory in ("src", "actions"):
        for path in sorted((root / directory).rglob("*.py")):
            for name in environment_variables_in(path.read_text(encoding="utf-8")):
                found.setdefault(name, path.relative_to(root).as_posix())
    for path in sorted((root / "experiments").rglob("*.json")):
        for name in environment_variables_in_experiment(path.read_text(encoding="utf-8")):
            found.setdefault(name, path.relative_to(root).as_posix())
    return found


def undocumented_names(names: Mapping[str, str], pages: Mapping[str, str]) -> list[str]:
    """The names (mapped to where they come from) that no page mentions."""
    text = "\n".join(pages.values())
    return [f"{name} ({where})" for name, where in sorted(names.items()) if name not in text]


# --- activities -----------------------------------------------------------------------------

ACTIVITY_MODULES = ("actions", "probes", "tolerances")


def activities(root: Path = ROOT) -> dict[str, str]:
    """Every activity the extension exports: name -> ``actions.<domain>.<module>``."""
    found: dict[str, str] = {}
    for path in sorted((root / "actions").glob("*/*.py")):
        if path.stem not in ACTIVITY_MODULES:
            continue
        module_name = f"actions.{path.parent.name}.{path.stem}"
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", ()):
            if callable(getattr(module, name, None)):
                found[name] = module_name
    return found


def undocumented_activities(names: Mapping[str, str], pages: Mapping[str, str]) -> list[str]:
    """The activities no page names as a word (``kill_replica``, not ``kill_replicas``)."""
    text = "\n".join(pages.values())
    return [
        f"{module}.{name}" for name, module in sorted(names.items()) if not _mentions(text, name)
    ]


# --- links and anchors ----------------------------------------------------------------------

LINK = re.compile(r"(?<!!)\[(?:[^\]\[]|\[[^\]]*\])*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
HTML_ID = re.compile(r"""\b(?:id|name)=["']([^"']+)["']""")


def _without_code(text: str) -> list[str]:
    """The page's lines with fenced code blocks and inline code blanked out."""
    lines: list[str] = []
    fenced = False
    for line in text.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
            lines.append("")
            continue
        lines.append("" if fenced else re.sub(r"`[^`]*`", "``", line))
    return lines


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lowercase, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"`([^`]*)`", r"\1", heading)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = unicodedata.normalize("NFC", text).strip().lower()
    kept = "".join(c for c in text if c.isalnum() or c in " -_")
    return kept.replace(" ", "-")


def anchors(text: str) -> set[str]:
    """Every anchor a page offers: its headings' slugs (``-1``, ``-2`` for repeats) and ids."""
    found: set[str] = set()
    seen: dict[str, int] = {}
    fenced = False
    for line in text.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
            continue
        if fenced:
            continue
        match = HEADING.match(line)
        if match:
            base = slug(match.group(2))
            count = seen.get(base, 0)
            seen[base] = count + 1
            found.add(base if count == 0 else f"{base}-{count}")
        found.update(HTML_ID.findall(line))
    return found


def broken_links(pages: Mapping[str, str], root: Path = ROOT) -> list[str]:
    """Every relative link or ``#anchor`` of the pages that leads nowhere, as ``page:line: link``.

    ``pages`` maps a path relative to ``root`` to its text; a link to another Markdown page is
    checked against that page's text in ``pages`` when it is there (so a doctored page is seen),
    else on disk.
    """
    broken: list[str] = []
    for page, text in pages.items():
        base = (root / page).parent
        for number, line in enumerate(_without_code(text), start=1):
            for target in LINK.findall(line):
                if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # https:, mailto:
                    continue
                path_part, _, fragment = target.partition("#")
                resolved = (base / path_part).resolve() if path_part else root / page
                try:
                    key = resolved.relative_to(root.resolve()).as_posix()
                except ValueError:
                    key = ""
                if not path_part:
                    key = page
                if key not in pages and not resolved.exists():
                    broken.append(f"{page}:{number}: {target} (no such file)")
                    continue
                if fragment:
                    if key in pages:
                        target_text = pages[key]
                    elif resolved.suffix == ".md":
                        target_text = resolved.read_text(encoding="utf-8")
                    else:
                        continue
                    if fragment not in anchors(target_text):
                        broken.append(f"{page}:{number}: {target} (no such anchor)")
    return broken


# --- the changelog --------------------------------------------------------------------------

#: Keep a Changelog's kinds of change, in its order.
CHANGE_KINDS = ("Added", "Changed", "Deprecated", "Removed", "Fixed", "Security")
RELEASE = re.compile(
    r"^## \[(?:Unreleased|\d+\.\d+\.\d+(?:[-+][\w.]+)?)\](?: - \d{4}-\d{2}-\d{2})?$"
)


def changelog_problems(text: str) -> list[str]:
    """What keeps ``text`` from being a Keep a Changelog file with one line per bullet.

    Releases are ``## [Unreleased]`` (first) or ``## [1.2.3] - YYYY-MM-DD``; inside them,
    ``### Added``, ``Changed``, ``Deprecated``, ``Removed``, ``Fixed`` or ``Security``, each at
    most once and not empty; every change is one ``- `` line inside such a section.
    """
    problems: list[str] = []
    lines = text.splitlines()
    if not lines or lines[0] != "# Changelog":
        problems.append("line 1: the file must start with '# Changelog'")
    release = ""
    releases: list[str] = []
    section = ""
    sections: list[str] = []
    bullets = 0
    section_line = 0

    def close_section() -> None:
        if section and bullets == 0:
            problems.append(f"line {section_line}: '### {section}' of {release} has no bullet")

    for number, line in enumerate(lines, start=1):
        if line.startswith("## "):
            close_section()
            if not RELEASE.match(line):
                problems.append(
                    f"line {number}: {line!r} is not a release heading "
                    "('## [Unreleased]' or '## [1.2.3] - YYYY-MM-DD')"
                )
            release, section, sections, bullets = line[3:], "", [], 0
            if "Unreleased" in line and releases:
                problems.append(f"line {number}: '## [Unreleased]' must come before every release")
            releases.append(release)
        elif line.startswith("### "):
            close_section()
            section, bullets, section_line = line[4:].strip(), 0, number
            if not release:
                problems.append(f"line {number}: '### {section}' is outside a release")
            if section not in CHANGE_KINDS:
                problems.append(
                    f"line {number}: '### {section}' is not one of {', '.join(CHANGE_KINDS)}"
                )
            elif section in sections:
                problems.append(f"line {number}: '### {section}' appears twice in {release}")
            sections.append(section)
        elif line.startswith("- "):
            bullets += 1
            if not section:
                problems.append(
                    f"line {number}: a bullet outside a '### Added/Changed/...' section"
                )
        elif line.strip() and release and not re.match(r"^\[[^\]]+\]: \S+$", line):
            problems.append(
                f"line {number}: {line.strip()[:60]!r} continues a bullet or stands alone: "
                "every change is one '- ' line"
            )
    close_section()
    if "[Unreleased]" not in releases:
        problems.append("no '## [Unreleased]' section")
    return problems


def option_help(root_command: click.Command, option: CliOption) -> str:
    """The ``help=`` text of one option found by :func:`cli_options`."""
    command = root_command
    ctx = click.Context(command, info_name="entdrill")
    for name in option.command.split()[1:]:
        assert isinstance(command, click.Group)
        sub = command.get_command(ctx, name)
        assert sub is not None
        command = sub
        ctx = click.Context(command, info_name=name, parent=ctx)
    for param in command.params:
        if isinstance(param, click.Option) and option.names[0] in (
            *param.opts,
            *param.secondary_opts,
        ):
            return param.help or ""
    return ""
