"""The package's shape as a newcomer reads it: modules short enough to read in one
sitting, no import cycles, imports that point down the layers, and no module
reaching into another's private names.

Each test lists every violation it finds, so one run shows all the work left.
The checks read the source with `ast` (imports inside functions included), not
by importing it, so a module that fails to import is still checked.
"""

from __future__ import annotations

import ast
from collections import deque
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "gazette"
MAX_LINES = 400
# Lowest first: a module may import from its own layer or any layer below it.
# Base is every module at the top of the package; machine (feeds, sitemaps,
# structured data) reads the config and the markup of stages, never the reverse.
# Images (Pillow's work on photos) reads the config and pictures of stages.
# Importers sit beside the engine, not on it: test_importers_use_only_the_base checks
# that they take nothing but base modules (errors, slugs, dates).
LAYERS = ("base", "stages", "images", "machine", "engine", "sinks", "importers", "commands")


@dataclass(frozen=True)
class Import:
    """One import statement's dependency on one module of the package."""

    source: str  # the importing module, dotted
    target: str  # the module it loads, dotted
    line: int
    statement: str
    type_only: bool  # under `if TYPE_CHECKING:`: never runs, so it is no cycle

    def where(self, root: Path) -> str:
        return f"{module_path(root, self.source)}:{self.line} `{self.statement}`"


@dataclass(frozen=True)
class Private:
    """A private name of one module used by another."""

    source: str
    line: int
    name: str  # dotted: module and name


def module_names(root: Path) -> dict[str, Path]:
    """Every module of the package by dotted name; a package is its __init__.py."""
    names = {}
    for path in sorted(root.rglob("*.py")):
        parts = [root.name, *path.relative_to(root).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def module_path(root: Path, name: str) -> str:
    """The file of a dotted module name, as the message shows it."""
    path = root.parent.joinpath(*name.split("."))
    return (
        (path / "__init__.py" if path.is_dir() else path.with_suffix(".py"))
        .relative_to(root.parent)
        .as_posix()
    )


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The module that a dotted name lives in: the longest prefix that is one."""
    parts = name.split(".")
    while parts and ".".join(parts) not in modules:
        parts.pop()
    return ".".join(parts) or None


def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.endswith("__")


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_nodes(
    node: ast.AST, type_only: bool = False
) -> list[tuple[ast.Import | ast.ImportFrom, bool]]:
    """Every import in the tree, at any depth, and whether only a type checker runs it."""
    found: list[tuple[ast.Import | ast.ImportFrom, bool]] = []
    if isinstance(node, ast.Import | ast.ImportFrom):
        found.append((node, type_only))
    if isinstance(node, ast.If) and _is_type_checking(node.test):
        for child in node.body:
            found += _import_nodes(child, True)
        for child in node.orelse:
            found += _import_nodes(child, type_only)
        return found
    for child in ast.iter_child_nodes(node):
        found += _import_nodes(child, type_only)
    return found


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = _dotted(node.value)
        return f"{inner}.{node.attr}" if inner else None
    return None


def _absolute(node: ast.ImportFrom, package: str) -> str:
    """The module a `from` import names; a relative one counts up from the package."""
    if not node.level:
        return node.module or ""
    parts = package.split(".")
    return ".".join([*parts[: len(parts) - node.level + 1], *filter(None, [node.module])])


def read_imports(root: Path) -> tuple[list[Import], list[Private]]:
    """Each module's imports of the package, and its uses of other modules' private
    names: `from x import _name`, or `_name` read off an imported module."""
    modules = module_names(root)
    imports: list[Import] = []
    privates: list[Private] = []
    for source, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        package = source if path.name == "__init__.py" else source.rpartition(".")[0]
        bound: dict[str, str] = {}  # local name -> the module it stands for
        for node, type_only in _import_nodes(tree):
            found: list[str] = []  # the modules this statement loads
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if target := _resolve(alias.name, modules):
                        local = alias.asname or alias.name.partition(".")[0]
                        bound[local] = alias.name if alias.asname else local
                        found.append(target)
            elif owner := _resolve(base := _absolute(node, package), modules):
                for alias in node.names:
                    name = f"{base}.{alias.name}"
                    if name in modules:  # a submodule: private only outside its package
                        bound[alias.asname or alias.name] = name
                        found.append(name)
                        private = not (source == base or source.startswith(f"{base}."))
                    else:
                        found.append(owner)
                        name, private = f"{owner}.{alias.name}", owner != source
                    if private and _is_private(alias.name):
                        privates.append(Private(source, node.lineno, name))
            statement = ast.unparse(node)
            for target in dict.fromkeys(found):
                if target != source:
                    imports.append(Import(source, target, node.lineno, statement, type_only))
        privates += _private_attributes(tree, source, bound, modules)
    return imports, privates


def _private_attributes(
    tree: ast.AST, source: str, bound: dict[str, str], modules: dict[str, Path]
) -> list[Private]:
    """`module._name`, where `module` is another module of the package imported here."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _is_private(node.attr):
            first, _, rest = (_dotted(node.value) or "").partition(".")
            owner = ".".join(filter(None, [bound.get(first, ""), rest]))
            if owner in modules and owner != source:
                found.append(Private(source, node.lineno, f"{owner}.{node.attr}"))
    return found


def layer_of(root: Path, module: str) -> str:
    """A module's layer: its folder under the package, or base at the top."""
    parts = module.split(".")
    is_folder = len(parts) > 1 and (root / parts[1]).is_dir()
    return parts[1] if is_folder else "base"


def oversized_modules(root: Path) -> list[str]:
    problems = []
    for name, path in module_names(root).items():
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_LINES:
            problems.append(f"{module_path(root, name)}: {lines} lines (at most {MAX_LINES})")
    return problems


def _strongly_connected(edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative: the groups of modules that reach one another."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = []
                    while not group or group[-1] != node:
                        group.append(stack.pop())
                        on_stack.discard(group[-1])
                    groups.append(sorted(group))
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(edges.get(child, ())))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return [group for group in groups if len(group) > 1]


def _shortest_cycle(start: str, edges: dict[str, set[str]], group: set[str]) -> list[str]:
    """Breadth first from `start` back to it, inside its group: the cycle to show."""
    came_from: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for child in sorted(edges[node] & group):
            if child == start:
                path = [node]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                return [*reversed(path), start]
            if child not in came_from:
                came_from[child] = node
                queue.append(child)
    raise AssertionError(f"{start} is in a cycle group but on no cycle")


def import_cycles(root: Path) -> list[str]:
    imports, _ = read_imports(root)
    runtime = [found for found in imports if not found.type_only]
    edges: dict[str, set[str]] = {name: set() for name in module_names(root)}
    first: dict[tuple[str, str], Import] = {}
    for found in runtime:
        edges[found.source].add(found.target)
        first.setdefault((found.source, found.target), found)
    problems = []
    for group in _strongly_connected(edges):
        cycle = _shortest_cycle(group[0], edges, set(group))
        steps = [first[(a, b)].where(root) for a, b in pairwise(cycle)]
        tangle = f" (all of {', '.join(group)} reach one another)" if len(group) > 3 else ""
        problems.append(" -> ".join(cycle) + tangle + "\n      " + "\n      ".join(steps))
    return problems


def upward_imports(root: Path) -> list[str]:
    imports, _ = read_imports(root)
    problems = []
    for found in sorted(imports, key=lambda found: (found.source, found.line)):
        source, target = layer_of(root, found.source), layer_of(root, found.target)
        if source not in LAYERS or target not in LAYERS:
            unknown = source if source not in LAYERS else target
            problems.append(f"{found.where(root)}: {unknown}/ is in no layer of {LAYERS}")
        elif LAYERS.index(target) > LAYERS.index(source):
            kind = " (a type only, but still a dependency)" if found.type_only else ""
            problems.append(f"{found.where(root)}: {source} imports {target}, above it{kind}")
    return list(dict.fromkeys(problems))


def private_uses(root: Path) -> list[str]:
    _, privates = read_imports(root)
    ordered = sorted(privates, key=lambda use: (use.source, use.line, use.name))
    return list(
        dict.fromkeys(
            f"{module_path(root, use.source)}:{use.line} uses {use.name}" for use in ordered
        )
    )


def _report(problems: list[str], what: str) -> str:
    return f"{len(problems)} {what}:\n  " + "\n  ".join(problems)


def test_no_module_is_too_long_to_read() -> None:
    problems = oversized_modules(PACKAGE)
    assert not problems, _report(problems, f"modules over {MAX_LINES} lines")


def test_no_import_cycles() -> None:
    problems = import_cycles(PACKAGE)
    assert not problems, _report(problems, "import cycles")


def test_imports_point_down_the_layers() -> None:
    problems = upward_imports(PACKAGE)
    assert not problems, _report(problems, f"imports against the layers {' < '.join(LAYERS)}")


def test_importers_use_only_the_base() -> None:
    """build.py import reads other tools' archives; it shares Gazette's errors, slugs and
    dates, and nothing of the pipeline, so neither can break the other."""
    imports, _ = read_imports(PACKAGE)
    problems = [
        found.where(PACKAGE)
        for found in imports
        if layer_of(PACKAGE, found.source) == "importers"
        and layer_of(PACKAGE, found.target) not in ("base", "importers")
    ]
    assert not problems, _report(problems, "imports of the pipeline by importers")


def test_no_module_uses_another_modules_private_names() -> None:
    problems = private_uses(PACKAGE)
    assert not problems, _report(problems, "uses of another module's private names")


# The checks themselves, on a made-up package with one of each violation.


def _write(root: Path, files: dict[str, str]) -> Path:
    package = root / "gazette"
    for name, text in files.items():
        path = package / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for folder in [package, *(p for p in package.rglob("*") if p.is_dir())]:
        (folder / "__init__.py").touch()
    return package


@pytest.fixture
def made_up(tmp_path: Path) -> Path:
    return _write(
        tmp_path,
        {
            "model.py": "from typing import TYPE_CHECKING\n"
            "if TYPE_CHECKING:\n    from gazette.stages.config import Config\n",
            "long.py": "x = 1\n" * (MAX_LINES + 1),
            "short.py": "x = 1\n" * MAX_LINES,
            "stages/config.py": "from gazette.model import *\n"
            "def load():\n    from gazette.machine.feeds import feed\n",
            "stages/markup.py": "from . import config\nfrom .config import _hidden\n",
            "machine/feeds.py": "import gazette.stages.config as cfg\n"
            "from gazette.stages import markup\n"
            "def feed():\n    return cfg._secret, markup.__name__\n",
            "engine/core.py": "from gazette.machine import feeds\n",
            "extras/tool.py": "from gazette import model\n",
        },
    )


def test_the_length_check_finds_the_long_module(made_up: Path) -> None:
    assert oversized_modules(made_up) == [
        f"gazette/long.py: {MAX_LINES + 1} lines (at most {MAX_LINES})"
    ]


def test_the_cycle_check_follows_imports_in_functions_and_relative_ones(made_up: Path) -> None:
    [cycle] = import_cycles(made_up)
    assert cycle.startswith("gazette.machine.feeds -> gazette.stages.config -> ")
    assert "gazette/stages/config.py:3 `from gazette.machine.feeds import feed`" in cycle
    # model -> stages.config is a type only: no cycle, though config imports all of model
    assert "gazette.model" not in cycle


def test_the_layer_check_names_each_upward_import(made_up: Path) -> None:
    assert upward_imports(made_up) == [
        f"gazette/extras/tool.py:1 `from gazette import model`: extras/ is in no layer of {LAYERS}",
        "gazette/model.py:3 `from gazette.stages.config import Config`: base imports stages,"
        " above it (a type only, but still a dependency)",
        "gazette/stages/config.py:3 `from gazette.machine.feeds import feed`: stages imports"
        " machine, above it",
    ]


def test_the_private_check_finds_imported_and_read_names(made_up: Path) -> None:
    assert private_uses(made_up) == [
        "gazette/machine/feeds.py:4 uses gazette.stages.config._secret",
        "gazette/stages/markup.py:2 uses gazette.stages.config._hidden",
    ]
