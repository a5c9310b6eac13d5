"""The apps form layers that import downward only, and no module of ours imports itself round a circle.

Imports are read from the source (every `import`, at the top of a module or inside a function:
an import inside a function is a dependency all the same), so the rule holds for code that
is never run here. Tests, migrations and the benchmarks' scratch settings are not part of it.

    bench                               the benchmarks: the site as it runs
    config                              settings and URLs: anything below
    wordpress, backups, demo            on top of the site's apps; never each other
    contributions, discussion, complaints   blog and below; never each other
    blog                                core, pagecache, outbox
    pagecache, outbox                   core
    core                                nothing of ours
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

LAYERS = [
    {"core"},
    {"pagecache", "outbox", "library", "editing"},
    {"blog"},
    {"contributions", "discussion", "complaints"},
    {"wordpress", "backups", "demo", "dashboard"},
    {"config"},
    {"bench"},
]
LAYER_OF = {app: level for level, apps in enumerate(LAYERS) for app in apps}


def source_files():
    for app in LAYER_OF:
        folder = ROOT / app
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*.py")):
            if "migrations" not in path.relative_to(ROOT).parts:
                yield path


def module_name(path):
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path):
    """Every module of ours `path` imports, anywhere in it: (line, dotted name)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module
            # `from package import module` imports the module when there is one of that name.
            found.append((node.lineno, module))
            found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
    return [(line, module) for line, module in found if module.split(".")[0] in LAYER_OF]


def known_modules():
    return {module_name(path): path for path in source_files()}


def resolve(module, modules):
    """The module of ours that `module` names (an attribute of a module names the module)."""
    while module and module not in modules:
        module = module.rpartition(".")[0]
    return module or None


def import_graph():
    modules = known_modules()
    graph = {}
    for name, path in modules.items():
        targets = {}
        for line, imported in imported_modules(path):
            target = resolve(imported, modules)
            if target and target != name:
                targets.setdefault(target, line)
        graph[name] = targets
    return graph


def upward_imports(graph):
    wrong = []
    for source, targets in graph.items():
        source_app = source.split(".")[0]
        for target, line in targets.items():
            target_app = target.split(".")[0]
            if target_app == source_app:
                continue
            if LAYER_OF[target_app] >= LAYER_OF[source_app]:
                wrong.append(f"{source}:{line} imports {target} ({source_app} may not import {target_app})")
    return wrong


def cycles(graph):
    """The strongly connected groups of more than one module (Tarjan), each sorted."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_every_app_of_ours_has_a_layer():
    apps = {
        path.parent.name
        for path in ROOT.glob("*/__init__.py")
        if path.parent.name not in {"tests", "node_modules"} and not path.parent.name.startswith(".")
    }
    apps |= {path.parent.name for path in ROOT.glob("*/apps.py")}
    assert apps - set(LAYER_OF) == set()


def test_apps_import_downward_only():
    assert upward_imports(import_graph()) == []


def test_no_import_cycles():
    assert cycles(import_graph()) == []


# The checks themselves, on made-up graphs: they must see what they are for.


def test_an_upward_import_is_reported():
    graph = {"core.models": {"blog.tasks": 7}, "blog.tasks": {}}
    assert upward_imports(graph) == ["core.models:7 imports blog.tasks (core may not import blog)"]


def test_apps_of_one_layer_may_not_import_each_other():
    graph = {"complaints.notifications": {"contributions.notifications": 3}}
    assert len(upward_imports(graph)) == 1


def test_a_cycle_is_reported():
    graph = {"blog.a": {"blog.b": 1}, "blog.b": {"blog.c": 1}, "blog.c": {"blog.a": 1}, "blog.d": {"blog.a": 1}}
    assert cycles(graph) == [["blog.a", "blog.b", "blog.c"]]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("from blog.tasks import x", {"blog.tasks", "blog.tasks.x"}),
        ("def f():\n    from .models import Article", {"core.models", "core.models.Article"}),
        ("import pagecache.cache as pages", {"pagecache.cache"}),
        ("from . import requestcache", {"core", "core.requestcache"}),
    ],
)
def test_imports_inside_functions_and_relative_ones_are_read(tmp_path, monkeypatch, text, expected):
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    (tmp_path / "core").mkdir()
    path = tmp_path / "core" / "views.py"
    path.write_text(text + "\n")
    assert {module for _line, module in imported_modules(path)} == expected
