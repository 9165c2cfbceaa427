"""Will a backed-up row load into the target database? Checked before a restore touches it.

SQLite stores almost anything; PostgreSQL refuses text with a NUL character, varchar values
longer than their column, integers wider than their column type and numerics with too many
digits. A backup taken on SQLite can hold such values, and without these checks it would pass
verification and fail only halfway through the restore. Some values fit no database: a lone
UTF-16 surrogate can't be encoded as UTF-8, and NaN or infinity is not JSON.
"""

import math
from dataclasses import dataclass
from decimal import Decimal
from importlib import import_module

from django.db import models

INTEGER_TYPES = {
    "SmallIntegerField", "IntegerField", "BigIntegerField", "PositiveSmallIntegerField",
    "PositiveIntegerField", "PositiveBigIntegerField", "SmallAutoField", "AutoField", "BigAutoField",
}
NAMES = {"postgresql": "PostgreSQL", "sqlite": "SQLite", "mysql": "MySQL", "oracle": "Oracle"}


@dataclass(frozen=True)
class Target:
    vendor: str
    operations: object  # the backend's DatabaseOperations: integer ranges per column type

    @classmethod
    def of(cls, connection) -> "Target":
        return cls(connection.vendor, connection.ops)

    @classmethod
    def named(cls, vendor: str) -> "Target":
        """A target by vendor name, to check an archive for a database other than this one."""
        module = {"sqlite": "sqlite3"}.get(vendor, vendor)
        # Through the backend's base module: importing its operations module first is circular.
        operations = import_module(f"django.db.backends.{module}.base").DatabaseWrapper.ops_class(None)
        return cls(vendor, operations)

    @property
    def name(self) -> str:
        return NAMES.get(self.vendor, self.vendor)

    @property
    def refuses_nul(self) -> bool:
        return self.vendor == "postgresql"

    @property
    def enforces_max_length(self) -> bool:
        return self.vendor != "sqlite"

    @property
    def stores_nan(self) -> bool:
        # SQLite turns a NaN float into NULL; PostgreSQL's double precision keeps it.
        return self.vendor != "sqlite"


def row_problems(instance: models.Model, target: Target) -> list[tuple[str, str]]:
    """[(column, why)] for every value of this row the target database can't store as it is."""
    problems = []
    for field in instance._meta.concrete_fields:
        value = getattr(instance, field.attname)
        if value is None:
            continue
        why = _field_problem(field, value, target)
        if why:
            problems.append((field.column, why))
    return problems


def _field_problem(field, value, target: Target) -> str | None:
    internal = field.get_internal_type()
    if isinstance(field, models.JSONField):
        return _json_problem(value, target)
    if isinstance(value, str):
        return _text_problem(value, target) or _length_problem(field, value, target)
    if internal in INTEGER_TYPES and isinstance(value, int):
        low, high = target.operations.integer_field_range(internal)
        if (low is not None and value < low) or (high is not None and value > high):
            return f"{value} is out of range for its column type ({internal}: {low} to {high} in {target.name})"
    if isinstance(value, float) and not math.isfinite(value) and not target.stores_nan:
        return f"{value} can't be stored in {target.name} (it becomes NULL)"
    if isinstance(value, Decimal) and isinstance(field, models.DecimalField):
        return _decimal_problem(field, value)
    return None


def _text_problem(text: str, target: Target) -> str | None:
    if target.refuses_nul and "\x00" in text:
        position = text.index("\x00")
        return f"text holds a NUL character (\\u0000, at position {position}), which {target.name} can't store"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        character = text[error.start]
        return f"text holds a lone surrogate ({character!r} at position {error.start}), which is not valid Unicode"
    return None


def _length_problem(field, text: str, target: Target) -> str | None:
    limit = getattr(field, "max_length", None)
    if target.enforces_max_length and isinstance(field, models.CharField) and limit and len(text) > limit:
        return f"{len(text)} characters, longer than its column (varchar({limit})) in {target.name}"
    return None


def _decimal_problem(field, value: Decimal) -> str | None:
    if not value.is_finite():
        return f"{value} is not a number the column can hold"
    whole_digits = max(value.adjusted() + 1, 0)
    allowed = field.max_digits - field.decimal_places
    if whole_digits > allowed:
        column = f"numeric({field.max_digits},{field.decimal_places})"
        return f"{value} has {whole_digits} digits before the point; {column} allows {allowed}"
    return None


def _json_problem(value, target: Target, path: str = "$") -> str | None:
    if isinstance(value, str):
        if target.refuses_nul and "\x00" in value:
            return f"JSON text at {path} holds a NUL character (\\u0000), which {target.name}'s jsonb can't store"
        problem = _text_problem(value, target)
        return f"JSON at {path}: {problem}" if problem else None
    if isinstance(value, float) and not math.isfinite(value):
        return f"JSON at {path} holds {value}, which is not valid JSON"
    if isinstance(value, dict):
        for key, item in value.items():
            problem = _json_problem(str(key), target, path) or _json_problem(item, target, f"{path}.{key}")
            if problem:
                return problem
    if isinstance(value, list):
        for index, item in enumerate(value):
            problem = _json_problem(item, target, f"{path}[{index}]")
            if problem:
                return problem
    return None
