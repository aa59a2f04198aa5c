"""The house rules that import-linter cannot see: no import of a project module inside a
function, where it would hide a cycle or an upward dependency from the layer contracts.
The one exception is AppConfig.ready(), where Django requires model imports to wait."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("core", "candidates", "intel", "signals", "review", "demo", "vetting")


def inner_imports(path: Path, root: Path = ROOT) -> list[str]:
    found = []
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) or node.name == "ready":
            continue
        for inner in ast.walk(node):
            names = []
            if isinstance(inner, ast.ImportFrom) and inner.module and inner.level == 0:
                names = [inner.module]
            elif isinstance(inner, ast.Import):
                names = [alias.name for alias in inner.names]
            found += [f"{path.relative_to(root)}:{inner.lineno} {name}" for name in names
                      if name.split(".")[0] in APPS]
    return found


def test_it_finds_no_project_import_inside_a_function():
    modules = [p for app in APPS for p in (ROOT / app).rglob("*.py") if "migrations" not in p.parts]
    assert len(modules) > 50  # the walk really saw the project
    offenders = [line for path in modules for line in inner_imports(path)]
    assert offenders == []


def test_it_would_catch_one(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("class C:\n    def ready(self):\n        from signals import tasks\n\n"
                      "def f():\n    from signals.tasks import candidate_score_task\n")
    assert inner_imports(module, root=tmp_path) == ["m.py:6 signals.tasks"]
