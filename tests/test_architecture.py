"""The code's rooms and arrows hold: the import contracts in pyproject.toml ([tool.importlinter])
and no import circle between modules. A new upward import or circle fails here, naming it."""

import ast
import subprocess
import sys
from pathlib import Path

import grimp

REPOSITORY = Path(__file__).resolve().parents[1]


def test_import_contracts_are_kept():
    lint_imports = Path(sys.executable).parent / "lint-imports"
    finished = subprocess.run(
        [str(lint_imports), "--no-cache", "--no-logo", str(REPOSITORY / "pyproject.toml")],
        capture_output=True, text=True, cwd=REPOSITORY,
    )
    assert finished.returncode == 0, finished.stdout + finished.stderr


def _circles(imports: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan's algorithm, without recursion)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for start in sorted(imports):
        if start in index:
            continue
        work = [(start, iter(sorted(imports[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            module, targets = work[-1]
            target = next(targets, None)
            if target is not None:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(imports[target]))))
                elif target in on_stack:
                    low[module] = min(low[module], index[target])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[module])
            if low[module] == index[module]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == module:
                        break
                if len(group) > 1:
                    found.append(sorted(group))
    return found


def test_circles_are_found():
    assert _circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _circles({"a": {"b"}, "b": set()}) == []


def test_no_module_imports_itself_through_others():
    # Every import counts, also one inside a function (a late import hides a circle, it doesn't
    # remove it), and a package's face importing its own submodules too: whoever imports the face
    # imports what it hands on, so a circle through a face is a circle.
    graph = grimp.build_graph("learnloop", cache_dir=None)
    imports = {module: set(graph.find_modules_directly_imported_by(module)) for module in graph.modules}
    assert _circles(imports) == []


# --- form input only through forms ---------------------------------------------------------------


def _hand_read_form_input(source: str) -> list[int]:
    """Lines where code reads `<request>.POST` itself (`.POST[...]`, `.POST.get(...)`, a comparison,
    ...) instead of handing it to a form: the only use allowed is as a call's argument, alone or
    as `request.POST or None`."""
    tree = ast.parse(source)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Attribute) and node.attr == "POST"):
            continue
        parent = parents.get(node)
        if isinstance(parent, ast.BoolOp) and isinstance(parent.op, ast.Or) and parent.values[0] is node:
            node, parent = parent, parents.get(parent)
        if isinstance(parent, ast.keyword):
            continue
        if isinstance(parent, ast.Call) and node in parent.args:
            continue
        found.append(node.lineno)
    return found


def test_form_input_check_finds_hand_reading():
    assert _hand_read_form_input("form = Form(request.POST or None, request.FILES)") == []
    assert _hand_read_form_input("form = Form(data=request.POST)") == []
    assert _hand_read_form_input("k = request.POST['k']") == [1]
    assert _hand_read_form_input("x = 1\nk = int(request.POST.get('k', ''))") == [2]
    assert _hand_read_form_input("keys = request.POST.getlist('keys')") == [1]
    assert _hand_read_form_input("if request.POST:\n    pass") == [1]
    assert _hand_read_form_input("data = request.POST") == [1]


def test_views_read_form_input_only_through_forms():
    """docs/development.md: views read user input only through Django forms (<app>/forms.py)."""
    package = REPOSITORY / "src" / "learnloop"
    found = [
        f"{path.relative_to(package)}:{line}"
        for path in sorted(package.rglob("*.py"))
        for line in _hand_read_form_input(path.read_text(encoding="utf-8"))
    ]
    assert found == [], "request.POST read by hand instead of through a form: " + ", ".join(found)
