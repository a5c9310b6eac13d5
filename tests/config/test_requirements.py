"""requirements/: production installs what the site runs and nothing of the tests or tooling.

base.txt is the site, production.txt adds the production services, dev.txt everything else. Read
from the files (following `-r` includes) and from the source: every third-party module imported
outside tests/ and bench/, or named by a dotted path in the settings, must come from a
distribution that production installs by name.
"""

import ast
import re
import sys
import tomllib
from importlib.metadata import PackageNotFoundError, packages_distributions, version
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REQUIREMENTS = ROOT / "requirements"
# Only developers and CI need these; a production server that installs them is a mistake.
DEV_ONLY = {
    "pytest",
    "pytest-django",
    "pytest-xdist",
    "pytest-playwright",
    "playwright",
    "locust",
    "hypothesis",
    "ruff",
    "pre-commit",
    "djhtml",
    "django-upgrade",
    "factory-boy",
    "time-machine",
}
# Source that production never runs.
NOT_PRODUCTION = {"tests", "bench", ".venv", "node_modules", ".git"}
OPTIONAL_IMPORT_ERRORS = {"ImportError", "ModuleNotFoundError"}


def normalize(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def read_requirements(path, seen=None):
    """{normalized distribution name: pinned version or None} of `path` and the files it includes."""
    seen = set() if seen is None else seen
    if path in seen:
        return {}
    seen.add(path)
    found = {}
    for raw in path.read_text().splitlines():
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith(("-r ", "--requirement ")):
            found.update(read_requirements(path.parent / line.split(None, 1)[1], seen))
            continue
        match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*(?:==\s*([^\s;]+))?.*", line)
        assert match, f"{path.name}: cannot read {raw!r}"
        found[normalize(match[1])] = match[3]
    return found


def production():
    return read_requirements(REQUIREMENTS / "production.txt")


def first_party():
    return {p.name for p in ROOT.iterdir() if (p / "__init__.py").is_file()} | {p.stem for p in ROOT.glob("*.py")}


def source_files():
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if parts[0] not in NOT_PRODUCTION and "node_modules" not in parts:
            yield path


def required_imports(tree):
    """Top-level names of the modules `tree` imports, less those inside `try: ... except ImportError`
    (optional, such as debug-toolbar in the development settings)."""
    optional = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Try):
            caught = set()
            for handler in node.handlers:
                types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
                caught |= {getattr(t, "id", None) for t in types}
            if caught & OPTIONAL_IMPORT_ERRORS:
                optional |= {id(n) for stmt in node.body for n in ast.walk(stmt)}
    names = set()
    for node in ast.walk(tree):
        if id(node) in optional:
            continue
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            names.add(node.module.split(".")[0])
    return names


def dotted_names(tree):
    """Top-level names of the dotted paths and app labels written as strings (INSTALLED_APPS,
    MIDDLEWARE, storage and task backends)."""
    return {
        node.value.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and re.fullmatch(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*", node.value)
    }


def third_party_modules():
    """{top-level module: [files]} imported by the source production runs, or named by its settings."""
    ours = first_party()
    installed = packages_distributions()
    modules = {}
    for path in source_files():
        tree = ast.parse(path.read_text(), filename=str(path))
        names = required_imports(tree)
        if path.parent == ROOT / "config" / "settings" and path.stem in ("base", "production"):
            names |= {name for name in dotted_names(tree) if name in installed}
        for name in names - ours - set(sys.stdlib_module_names) - {"__future__"}:
            modules.setdefault(name, []).append(str(path.relative_to(ROOT)))
    return modules


def test_production_installs_no_test_or_tooling_package():
    assert not (DEV_ONLY & production().keys()), sorted(DEV_ONLY & production().keys())
    assert not [name for name in production() if name.startswith("pytest")]


def test_development_installs_production_and_the_tools():
    dev = read_requirements(REQUIREMENTS / "dev.txt")
    assert production().keys() <= dev.keys()
    assert DEV_ONLY <= dev.keys()


def test_every_module_the_site_imports_is_a_production_requirement():
    installed = packages_distributions()
    required = production()
    modules = third_party_modules()
    # The scan finds what the site is built on (a scan that finds nothing would pass vacuously).
    assert {"django", "lxml", "PIL", "whitenoise", "storages"} <= modules.keys()
    missing = {
        name: files
        for name, files in modules.items()
        if not {normalize(dist) for dist in installed.get(name, [])} & required.keys()
    }
    assert not missing, f"imported but not in requirements/base.txt or production.txt: {missing}"


def test_production_serves_with_gunicorn_and_brotli():
    required = production()
    # README, Production deployment: `gunicorn -c config/gunicorn.py config.wsgi`.
    assert "gunicorn" in required
    # WhiteNoise writes .br files beside the .gz ones only when brotli is installed.
    assert "CompressedManifestStaticFilesStorage" in (ROOT / "config" / "settings" / "production.py").read_text()
    assert "brotli" in required


def test_every_requirement_is_pinned_and_installed_at_its_pin():
    for dist, pin in read_requirements(REQUIREMENTS / "dev.txt").items():
        assert pin, f"{dist} has no == pin"
        try:
            installed = version(dist)
        except PackageNotFoundError:
            pytest.fail(f"{dist} is not installed (make install)")
        assert installed == pin, f"{dist}=={pin}, installed {installed} (make install)"


def test_pre_commit_hooks_run_the_pinned_tools():
    """.pre-commit-config.yaml installs each tool at the version dev.txt pins, so a commit is checked
    by the ruff that `make lint` runs."""
    config = (ROOT / ".pre-commit-config.yaml").read_text()
    pinned = read_requirements(REQUIREMENTS / "dev.txt")
    hooks = dict(re.findall(r"additional_dependencies: \[([\w-]+)==([\w.]+)\]", config))
    assert hooks.keys() == {"ruff", "djhtml", "django-upgrade"}
    for dist, pin in hooks.items():
        assert pinned[normalize(dist)] == pin, dist
    assert "entry: django-upgrade --target-version 5.2\n" in config


def test_ruff_sorts_every_app_of_ours_as_first_party():
    """pyproject.toml names every package of the project, so imports sort the same in any checkout
    (ruff's guess depends on what it finds installed)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    listed = set(config["tool"]["ruff"]["lint"]["isort"]["known-first-party"])
    assert listed == {p.name for p in ROOT.iterdir() if (p / "__init__.py").is_file()}
