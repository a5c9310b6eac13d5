"""No wall-clock limit in the suite or the benchmarks that honest work can cross on a loaded machine.

A fixed limit (a subprocess's timeout, a wait for a server, a socket's timeout, an Event's wait)
turns "slow because two cores also run a build" into a failure: a fixture killed `collectstatic`
after 60 s and ten tests errored. Each limit is HANG_SECONDS (tests/services.py), which only ends
a wait that would hang forever, or more. Exempt: a limit inside a loop, which is one try of a
probe retried until such a deadline; a local TCP connect; and a line that says `# wall-clock:`
and why the limit ends no test (cleanup of a process already asked to stop; what a load test
measures).
"""

import ast
from pathlib import Path

import pytest

from tests.services import HANG_SECONDS

ROOT = Path(__file__).resolve().parents[1]
FILES = sorted(
    path for folder in ("tests", "bench") for path in (ROOT / folder).rglob("*.py") if "node_modules" not in path.parts
)
LIMIT_NAMES = {"timeout", "seconds"}  # keywords of calls (`seconds=` too, for a function's own default)
# A TCP connect to 127.0.0.1 is answered by the kernel, not by work that load slows: a probe.
PROBES = {"create_connection"}
MARKER = "# wall-clock:"  # followed by why this limit ends no test


def short_limits(tree, lines):
    """(line, text) of every literal limit below HANG_SECONDS outside a loop."""
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}

    def in_loop(node):
        while node in parents:
            node = parents[node]
            if isinstance(node, (ast.While, ast.For)):
                return True
            if isinstance(node, (ast.FunctionDef, ast.Lambda)):
                return False
        return False

    def short(value):
        return (
            isinstance(value, ast.Constant)
            and isinstance(value.value, (int, float))
            and not isinstance(value.value, bool)
            and value.value < HANG_SECONDS
        )

    found = []
    for node in ast.walk(tree):
        candidates = []
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name not in PROBES:
                candidates += [kw.value for kw in node.keywords if kw.arg == "timeout"]
            if isinstance(node.func, ast.Attribute) and node.func.attr in {"wait", "join"} and node.args:
                candidates.append(node.args[0])
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            arguments = node.args.args[len(node.args.args) - len(node.args.defaults) :]
            candidates += [
                default for arg, default in zip(arguments, node.args.defaults, strict=True) if arg.arg in LIMIT_NAMES
            ]
        elif isinstance(node, ast.Assign):
            if any(isinstance(target, ast.Name) and target.id.endswith("TIMEOUT") for target in node.targets):
                candidates.append(node.value)
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left = node.left
            if isinstance(left, ast.Call) and isinstance(left.func, ast.Attribute) and left.func.attr == "monotonic":
                candidates.append(node.right)  # a deadline
        for value in candidates:
            line = lines[value.lineno - 1]
            if short(value) and not in_loop(value) and MARKER not in line:
                found.append((value.lineno, line.strip()))
    return found


@pytest.mark.parametrize("path", FILES, ids=lambda path: str(path.relative_to(ROOT)))
def test_no_wall_clock_limit_that_honest_work_can_cross(path):
    source = path.read_text()
    assert short_limits(ast.parse(source), source.splitlines()) == []
