"""Checks that keep a model file from running code of its own when PySD translates and loads it.

PySD turns a model into a Python module and imports it. Most of what a model names goes into
that module through `repr` or `make_python_identifier`, but not all (PySD 3.14.3, checked by the
tests in tests/analytics/systems/test_model_safety.py):

- an element's documentation is pasted between triple quotes as the function's docstring, so a
  comment holding three double quotes ends the docstring and whatever follows is Python code
  (Vensim's backslash is turned into a line break, which helps the attack);
- the file, tab and cell arguments of GET XLS/DIRECT DATA, LOOKUPS, CONSTANTS are pasted inside
  `r'...'` quotes, so a quote in them ends the string; they also read any file the server can;
- a Data variable's keyword and a macro's name are pasted inside quotes in the same way.

So there are two layers:

1. `check_abstract_model` reads PySD's parsed model (before any Python is written) and refuses
   documentation with three quotes in a row, and for untrusted models (uploaded through the
   web or the API) also names outside a whitelist of characters, external data functions,
   data variables and macros.
2. `check_generated_code` parses every Python file PySD wrote and refuses what a translation
   never contains: imports other than PySD's own and numpy/xarray/scipy/pathlib, names such as
   `eval`, `exec`, `open` or `__import__`, dunder attributes, and module-level statements other
   than imports, assignments, function definitions and docstrings.

Both raise `UnsafeModel` (a SimulationError) naming what was refused.
"""

import ast
import dataclasses
import re
from pathlib import Path

from learnloop.analytics.systems.errors import SimulationError

# Letters and digits of any script, space, and the punctuation real model names use.
SAFE_NAME = re.compile(r"^[\w][\w \-.,&%()/'$#?!:]*$")
MAX_NAME_LENGTH = 200
EXTERNAL_STRUCTURES = ("GetDataStructure", "GetLookupsStructure", "GetConstantsStructure",
                       "GetSubscriptsStructure", "DataStructure")
ALLOWED_IMPORTS = ("pysd", "numpy", "xarray", "scipy", "pathlib", "pandas")
FORBIDDEN_NAMES = frozenset({
    "eval", "exec", "compile", "open", "__import__", "getattr", "setattr", "delattr", "globals", "locals",
    "vars", "breakpoint", "input", "exit", "quit", "help", "memoryview", "__builtins__", "__loader__",
    "__spec__", "os", "sys", "subprocess", "shutil", "importlib", "builtins", "socket",
})
ALLOWED_DUNDER_NAMES = frozenset({"__file__", "__pysd_version__", "__data", "__name__"})


class UnsafeModel(SimulationError):
    """The model holds something that could run code or read files on the server."""


def check_xml_declarations(content: bytes, *, file_name: str) -> None:
    """No DOCTYPE or ENTITY in an uploaded XMILE file: entities could pull server files into the
    model (lxml 6, which PySD parses with, resolves only internal ones, but the model needs none)
    or expand exponentially."""
    head = content.upper()
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
        raise UnsafeModel(f"{file_name}: refused for safety: XML DOCTYPE and ENTITY declarations are not "
                          "accepted in uploaded models.")


def check_abstract_model(abstract_model, *, untrusted: bool, file_name: str) -> None:
    problems: list[str] = []
    for section in abstract_model.sections:
        if untrusted and section.type != "main":
            problems.append(f"macro {section.name!r} (macros are not accepted in uploaded models)")
        for subscript_range in section.subscripts:
            if untrusted:
                _check_name(subscript_range.name, "subscript range", problems)
                values = subscript_range.subscripts
                for value in (values if isinstance(values, list | tuple) else [values]):
                    if isinstance(value, str):
                        _check_name(value, "subscript", problems)
        for element in section.elements:
            if '"""' in (element.documentation or ""):
                problems.append(f"the documentation of {element.name!r} holds three double quotes in a row")
            if untrusted:
                _check_name(element.name, "variable", problems)
                for component in element.components:
                    if type(component).__name__ == "AbstractData":
                        problems.append(f"{element.name!r} is a data variable (external data is not accepted "
                                        "in uploaded models)")
                    for structure in _structures(component.ast):
                        if structure in EXTERNAL_STRUCTURES:
                            problems.append(f"{element.name!r} reads an external file ({_vensim_name(structure)}); "
                                            "uploaded models cannot read files")
    if problems:
        raise UnsafeModel(f"{file_name}: refused for safety: " + "; ".join(_unique(problems)) + ".")


def _check_name(name: str, kind: str, problems: list[str]) -> None:
    if len(name) > MAX_NAME_LENGTH:
        problems.append(f"a {kind} name longer than {MAX_NAME_LENGTH} characters")
    elif not SAFE_NAME.match(name):
        problems.append(f"the {kind} name {name!r} (names may hold letters, digits, spaces "
                        "and - . , & % ( ) / ' $ # ? ! :)")


def _vensim_name(structure: str) -> str:
    return {"GetDataStructure": "GET DATA", "GetLookupsStructure": "GET LOOKUPS",
            "GetConstantsStructure": "GET CONSTANTS", "GetSubscriptsStructure": "GET SUBSCRIPT",
            "DataStructure": "data"}[structure]


def _structures(node, depth: int = 0):
    """The class names of every expression structure in a parsed equation."""
    if depth > 200 or node is None or isinstance(node, str | int | float | bool):
        return
    if isinstance(node, list | tuple | set):
        for item in node:
            yield from _structures(item, depth + 1)
    elif isinstance(node, dict):
        for item in node.values():
            yield from _structures(item, depth + 1)
    elif dataclasses.is_dataclass(node):
        yield type(node).__name__
        for field in dataclasses.fields(node):
            yield from _structures(getattr(node, field.name), depth + 1)


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))[:10]


def check_generated_code(main_file: Path, *, file_name: str) -> None:
    """Refuse a translation whose Python does more than a PySD translation does."""
    problems: list[str] = []
    for python_file in sorted(Path(main_file).parent.rglob("*.py")):
        try:
            tree = ast.parse(python_file.read_text(encoding="utf-8"))
        except SyntaxError as error:
            raise UnsafeModel(f"{file_name}: the translation is not valid Python (line {error.lineno}); "
                              "a name or comment in the model breaks it.") from None
        for statement in tree.body:
            if not isinstance(statement, ast.Import | ast.ImportFrom | ast.Assign | ast.FunctionDef | ast.Expr):
                problems.append(f"a module-level {type(statement).__name__} statement")
            elif isinstance(statement, ast.Expr) and not (isinstance(statement.value, ast.Constant)
                                                          and isinstance(statement.value.value, str)):
                problems.append("a module-level expression")
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                modules = [alias.name for alias in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                if isinstance(node, ast.ImportFrom) and node.level:
                    modules = []  # relative imports stay inside the translation folder
                for module in modules:
                    if module.split(".")[0] not in ALLOWED_IMPORTS:
                        problems.append(f"an import of {module}")
            elif isinstance(node, ast.Name) and (node.id in FORBIDDEN_NAMES or (
                    node.id.startswith("__") and node.id not in ALLOWED_DUNDER_NAMES)):
                problems.append(f"the name {node.id}")
            elif isinstance(node, ast.Attribute) and node.attr.startswith("__"):
                problems.append(f"the attribute {node.attr}")
            elif isinstance(node, ast.FunctionDef | ast.Lambda) and _inner_statements(node):
                problems.append("a function with statements a translation never writes")
    if problems:
        raise UnsafeModel(f"{file_name}: refused for safety, its translation would contain "
                          + "; ".join(_unique(problems)) + ".")


def _inner_statements(node) -> bool:
    """Imports, global/nonlocal, deletes and with/try blocks inside generated functions."""
    if isinstance(node, ast.Lambda):
        return False
    return any(isinstance(inner, ast.Global | ast.Nonlocal | ast.Delete | ast.With | ast.Try | ast.Import
                          | ast.ImportFrom | ast.ClassDef | ast.AsyncFunctionDef | ast.While)
               for inner in ast.walk(node))
