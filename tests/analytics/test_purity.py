import ast
from pathlib import Path

import learnloop.analytics

ANALYTICS = Path(learnloop.analytics.__file__).parent


def test_analytics_modules_import_nothing_from_django_or_the_apps():
    offenders = []
    for path in ANALYTICS.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                if name.split(".")[0] in {"django", "ninja"} or (
                    name.startswith("learnloop.") and not name.startswith("learnloop.analytics")
                ):
                    offenders.append(f"{path.name}: {name}")
    assert offenders == []
