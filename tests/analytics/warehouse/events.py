"""Generated experiment event logs, the warehouses they are loaded into, and the same statistics
computed independently from the raw rows with pandas."""

import os
import uuid
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import pandas as pd

START = pd.Timestamp("2026-03-02 00:00:00")


@dataclass
class EventLog:
    exposures: pd.DataFrame  # unit_id, variation, first_exposure_at, country, platform
    events: pd.DataFrame  # unit_id, timestamp, value, numerator, denominator


def generate(seed: int = 7, units: int = 1500, variations=("treatment", "control", "a"), rows: int = 12000) -> EventLog:
    """Units exposed over a week, some twice (same variation: the earlier time counts), some to two
    variations (left out), some with no events; events before exposure, after windows, without a
    unit in the experiment, and values on a quarter grid so every sum is exact in floating point."""
    rng = np.random.default_rng(seed)
    ids = np.arange(1, units + 1)
    exposures = pd.DataFrame({
        "unit_id": ids,
        "variation": rng.choice(list(variations), size=units),
        "first_exposure_at": START + pd.to_timedelta(rng.integers(0, 7 * 86400, size=units), unit="s"),
        "country": rng.choice(["DE", "FR", "O'Brien'); DROP TABLE exposures; --"], size=units),
        "platform": rng.choice(["ios", "web"], size=units),
    })
    again = exposures.sample(n=units // 10, random_state=seed).copy()
    again["first_exposure_at"] += pd.to_timedelta(rng.integers(-86400, 86400, size=len(again)), unit="s")
    switched = exposures.sample(n=units // 20, random_state=seed + 1).copy()
    switched["variation"] = [variations[(list(variations).index(v) + 1) % len(variations)]
                             for v in switched["variation"]]
    exposures = pd.concat([exposures, again, switched], ignore_index=True)
    active = ids[rng.random(units) < 0.7]  # the other 30 % have no events at all
    unit = np.concatenate([rng.choice(active, size=rows), rng.integers(units + 1, units + 50, size=rows // 50)])
    events = pd.DataFrame({
        "unit_id": unit,
        "timestamp": START + pd.to_timedelta(rng.integers(-3 * 86400, 12 * 86400, size=len(unit)), unit="s"),
        "value": rng.integers(0, 40, size=len(unit)) / 4.0,
        "numerator": rng.integers(0, 20, size=len(unit)).astype(float),
        "denominator": rng.integers(1, 5, size=len(unit)).astype(float),
    })
    return EventLog(exposures, events)


def reference(log: EventLog, *, metric_type="mean", aggregation="sum", window_hours=None, cap=None,
              cuped_days=None, dimension=None) -> dict:
    """{(cell value or None, variation): {users, sum, sum_squares, …}} from the raw rows."""
    per_unit = log.exposures.sort_values(["first_exposure_at"]).groupby("unit_id").agg(
        first=("first_exposure_at", "min"), variations=("variation", "nunique"), variation=("variation", "first"),
        **({"cell": (dimension, "first")} if dimension else {}),
    )
    units = per_unit[per_unit["variations"] == 1]
    rows = log.events.merge(units[["first"]], left_on="unit_id", right_index=True)
    after = rows["timestamp"] >= rows["first"]
    if window_hours is not None:
        after &= rows["timestamp"] <= rows["first"] + pd.Timedelta(hours=window_hours)

    def unit_values(mask, column="value"):
        chosen = rows[mask]
        if aggregation == "count":
            values = chosen.groupby("unit_id").size().astype(float)
        elif aggregation == "count_distinct":
            values = chosen.groupby("unit_id")[column].nunique().astype(float)
        else:
            values = chosen.groupby("unit_id")[column].sum()
        return values.reindex(units.index, fill_value=0.0)

    frame = pd.DataFrame({"variation": units["variation"]})
    if dimension:
        frame["cell"] = units["cell"]
    if metric_type == "ratio":
        frame["x"], frame["y"] = unit_values(after, "numerator"), unit_values(after, "denominator")
    else:
        frame["x"] = unit_values(after)
        if metric_type == "binomial":
            frame["x"] = (frame["x"] > 0).astype(float)
        if cap is not None:
            frame["x"] = frame["x"].clip(upper=cap)
    if cuped_days is not None:
        lookback = rows["first"] - pd.Timedelta(days=cuped_days)
        before = (rows["timestamp"] < rows["first"]) & (rows["timestamp"] >= lookback)
        frame["c"] = unit_values(before)
        if metric_type == "binomial":
            frame["c"] = (frame["c"] > 0).astype(float)
    keys = ["cell", "variation"] if dimension else ["variation"]
    found = {}
    for key, group in frame.groupby(keys):
        key = key if dimension else (None, key[0])
        x = group["x"]
        sums = {"users": len(group), "sum": x.sum(), "sum_squares": (x * x).sum()}
        if metric_type == "ratio":
            y = group["y"]
            sums |= {"denominator_sum": y.sum(), "denominator_sum_squares": (y * y).sum(),
                     "denominator_sum_product": (x * y).sum()}
        if cuped_days is not None:
            c = group["c"]
            sums |= {"covariate_sum": c.sum(), "covariate_sum_squares": (c * c).sum(),
                     "covariate_sum_product": (x * c).sum()}
        found[key] = sums
    return found


def excluded_units(log: EventLog) -> int:
    return int((log.exposures.groupby("unit_id")["variation"].nunique() > 1).sum())


def load_duckdb(log: EventLog, path) -> str:
    import duckdb

    connection = duckdb.connect(str(path))
    exposures, events = log.exposures, log.events  # noqa: F841 (read by name by DuckDB)
    connection.execute("CREATE TABLE exposures AS SELECT * FROM exposures")
    connection.execute("CREATE TABLE events AS SELECT * FROM events")
    connection.execute("CREATE SEQUENCE s")  # calling nextval writes: the read-only check
    connection.close()
    return f"duckdb:///{path}"


def postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


@contextmanager
def loaded_postgres(log: EventLog, url: str):
    """The log in a schema of its own in the database at `url`, dropped afterwards: (url, schema)."""
    import psycopg

    schema = f"learnloop_warehouse_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
        try:
            connection.execute(
                f'CREATE TABLE "{schema}".exposures (unit_id bigint, variation text, '
                "first_exposure_at timestamp, country text, platform text)"
            )
            connection.execute(
                f'CREATE TABLE "{schema}".events (unit_id bigint, "timestamp" timestamp, value double precision, '
                "numerator double precision, denominator double precision)"
            )
            connection.execute(f'CREATE SEQUENCE "{schema}".s')
            with connection.cursor() as cursor:
                with cursor.copy(f'COPY "{schema}".exposures FROM STDIN') as copy:
                    for row in log.exposures.itertuples(index=False):
                        copy.write_row((int(row.unit_id), row.variation, row.first_exposure_at.to_pydatetime(),
                                        row.country, row.platform))
                with cursor.copy(f'COPY "{schema}".events FROM STDIN') as copy:
                    for row in log.events.itertuples(index=False):
                        copy.write_row((int(row.unit_id), row.timestamp.to_pydatetime(), float(row.value),
                                        float(row.numerator), float(row.denominator)))
            yield url, schema
        finally:
            connection.execute(f'DROP SCHEMA "{schema}" CASCADE')
