"""No test that cannot fail: every test asserts something, and no helper named test_* is imported into a test module.

A test asserts when its body holds an `assert`, a `pytest.raises` / `pytest.fail`, a Playwright `expect`, or calls
a helper (defined anywhere under tests/) that does, directly or through other helpers.
"""
import ast
import pathlib

import pytest

TESTS = pathlib.Path(__file__).resolve().parent
ASSERTING_CALLS = {"raises", "fail", "expect"}
# Tests that assert nothing on purpose, with the reason. Keep it short: today there are none.
ALLOWED: dict[str, str] = {}


def called_names(node: ast.AST) -> set[str]:
    names = set()
    for call in ast.walk(node):
        if isinstance(call, ast.Call):
            if isinstance(call.func, ast.Name):
                names.add(call.func.id)
            elif isinstance(call.func, ast.Attribute):
                names.add(call.func.attr)
    return names


def asserts_itself(function: ast.AST) -> bool:
    return any(isinstance(node, ast.Assert) for node in ast.walk(function)) or bool(called_names(function) & ASSERTING_CALLS)


def modules(root: pathlib.Path = TESTS) -> dict[str, ast.Module]:
    return {str(path.relative_to(root)): ast.parse(path.read_text(encoding="utf-8")) for path in sorted(root.rglob("*.py"))}


def collected_tests(tree: ast.Module):
    """The functions pytest collects: module-level test_* and test_* methods of Test* classes."""
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test"):
            yield node.name, node
        elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            for method in node.body:
                if isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef)) and method.name.startswith("test"):
                    yield f"{node.name}.{method.name}", method


def silent_tests(trees: dict[str, ast.Module]) -> list[str]:
    """Tests whose body reaches no assertion."""
    functions = [node for tree in trees.values() for node in ast.walk(tree)
                 if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not node.name.startswith("test")]
    helpers = {f.name for f in functions if asserts_itself(f)}
    grown = True
    while grown:  # helpers that call asserting helpers assert too
        more = {f.name for f in functions if f.name not in helpers and called_names(f) & helpers}
        helpers |= more
        grown = bool(more)
    silent = []
    for path, tree in trees.items():
        for name, test in collected_tests(tree):
            if not (asserts_itself(test) or called_names(test) & helpers):
                silent.append(f"{path}::{name}")
    return [name for name in silent if name not in ALLOWED]


def imported_tests(trees: dict[str, ast.Module]) -> list[str]:
    """Names starting with `test` brought into a test module by an import: pytest would collect them."""
    found = []
    for path, tree in trees.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                found += [f"{path}: {alias.name}" for alias in node.names if (alias.asname or alias.name).startswith("test")]
    return found


def test_every_test_asserts_something():
    trees = modules()
    assert len(list(t for tree in trees.values() for t in collected_tests(tree))) > 500  # the walk found the suite
    assert silent_tests(trees) == []


def test_no_test_named_helper_is_imported():
    assert imported_tests(modules()) == []


@pytest.mark.parametrize(("source", "silent"), [
    ("def test_a():\n    x = 1\n", ["m.py::test_a"]),
    ("def test_a(client):\n    client.get('/')\n", ["m.py::test_a"]),
    ("def test_a():\n    assert 1\n", []),
    ("import pytest\ndef test_a():\n    with pytest.raises(ValueError):\n        int('x')\n", []),
    ("def check(r):\n    assert r\ndef via(r):\n    check(r)\ndef test_a():\n    via(1)\n", []),
    ("class TestX:\n    def test_a(self):\n        pass\n", ["m.py::TestX.test_a"]),
])
def test_the_check_tells_silent_tests_from_asserting_ones(source, silent):
    assert silent_tests({"m.py": ast.parse(source)}) == silent


def test_the_check_sees_an_imported_test_helper():
    tree = ast.parse("from tests.conftest import test_config\nfrom x import test_y as helper\nfrom z import a as test_b\n")
    assert imported_tests({"m.py": tree}) == ["m.py: test_config", "m.py: a"]
