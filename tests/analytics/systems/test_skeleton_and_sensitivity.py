"""The diagram-to-skeleton rule and Monte Carlo bands."""

from pathlib import Path

import numpy as np
import pytest

from learnloop.analytics.systems import CausalModel
from learnloop.analytics.systems.sensitivity import sensitivity
from learnloop.analytics.systems.simulation import SimulationError, simulate
from learnloop.analytics.systems.skeleton import stock_and_flow_skeleton

TEACUP = Path(__file__).parent / "test_models/samples/teacup/teacup.mdl"


def test_delayed_targets_and_one_variable_per_stockless_loop_become_stocks(tmp_path):
    model = CausalModel.build(
        ["Lessons written", "Lessons going stale", "Knowledge in use", "Reuse", "Writing effort"],
        [("Writing effort", "Lessons written", "+"), ("Lessons written", "Knowledge in use", "+", True),
         ("Lessons going stale", "Knowledge in use", "-"), ("Knowledge in use", "Reuse", "+"),
         ("Reuse", "Writing effort", "+"), ("Knowledge in use", "Lessons going stale", "+")],
    )
    skeleton = stock_and_flow_skeleton(model, title="Knowledge decay")
    assert [stock["name"] for stock in skeleton.stocks] == ["Knowledge in use"]
    assert skeleton.stocks[0]["reason"] == "delayed link from Lessons written"
    (flow,) = skeleton.flows
    assert flow == {"name": "change in Knowledge in use", "stock": "Knowledge in use",
                    "inputs": [["Lessons written", "+"], ["Lessons going stale", "-"]]}
    assert {aux["name"] for aux in skeleton.auxiliaries} == {
        "Lessons written", "Lessons going stale", "Reuse", "Writing effort"}
    file = tmp_path / "skeleton.xmile"
    file.write_text(skeleton.xmile)
    table = simulate(file, return_columns=["Knowledge in use"])  # PySD reads and runs it
    assert table.columns == ("TIME", "Knowledge in use") and len(table.rows) == 101


def test_a_loop_without_a_delay_gets_a_stock_at_its_most_influenced_variable():
    model = CausalModel.build(["A", "B", "C"], [("A", "B", "+"), ("B", "A", "-"), ("C", "B", "+")])
    skeleton = stock_and_flow_skeleton(model)
    assert [(stock["name"], stock["reason"]) for stock in skeleton.stocks] == [("B", "loop B1 needs a stock")]


def test_bands_bracket_every_run_and_the_same_seed_gives_the_same_bands():
    progress = []
    bands = sensitivity(TEACUP, {"Characteristic Time": (5.0, 20.0)}, runs=30, seed=7,
                        return_columns=["Teacup Temperature"], progress=lambda done, total: progress.append(done))
    assert progress == list(range(1, 31))
    band = bands.bands["Teacup Temperature"]
    final = {p: values[-1] for p, values in band.items()}
    assert final[5.0] <= final[50.0] <= final[95.0]
    # the extremes of the range bracket the band (a slower cooling keeps the tea hotter)
    fast = simulate(TEACUP, params={"Characteristic Time": 5.0}, return_columns=["Teacup Temperature"])
    slow = simulate(TEACUP, params={"Characteristic Time": 20.0}, return_columns=["Teacup Temperature"])
    assert fast.rows[-1][1] <= final[5.0] and final[95.0] <= slow.rows[-1][1]
    assert band[50.0][0] == 180
    again = sensitivity(TEACUP, {"Characteristic Time": (5.0, 20.0)}, runs=30, seed=7,
                        return_columns=["Teacup Temperature"])
    assert again.bands == bands.bands
    # the median band is numpy's percentile over the runs, computed here from the runs themselves
    draws = 5.0 + 15.0 * np.random.default_rng(7).random((30, 1))
    finals = [simulate(TEACUP, params={"Characteristic Time": float(d[0])},
                       return_columns=["Teacup Temperature"]).rows[-1][1] for d in draws[:30]]
    assert final[50.0] == pytest.approx(np.percentile(finals, 50))


def test_bad_ranges_are_refused():
    with pytest.raises(SimulationError, match="low <= high"):
        sensitivity(TEACUP, {"Characteristic Time": (5.0, 1.0)}, runs=3)
    with pytest.raises(SimulationError, match="no variable of that name"):
        sensitivity(TEACUP, {"Kettle": (1.0, 2.0)}, runs=3)


def test_latin_hypercube_puts_one_run_in_each_stratum_of_every_range():
    from learnloop.analytics.systems.sensitivity import unit_sample

    points = unit_sample(40, 3, seed=11, sampling="latin_hypercube")
    for column in points.T:
        assert sorted(np.floor(column * 40).astype(int)) == list(range(40))
    uniform = unit_sample(40, 3, seed=11)
    assert any(len(set(np.floor(column * 40).astype(int))) < 40 for column in uniform.T)  # plain draws clump


def test_latin_hypercube_bands_are_reproducible_and_match_runs_at_the_drawn_values():
    from scipy.stats import qmc

    ranges = {"Characteristic Time": (5.0, 20.0)}
    bands = sensitivity(TEACUP, ranges, runs=12, seed=3, sampling="latin_hypercube",
                        return_columns=["Teacup Temperature"])
    assert bands.sampling == "latin_hypercube" and bands.as_dict()["sampling"] == "latin_hypercube"
    again = sensitivity(TEACUP, ranges, runs=12, seed=3, sampling="latin_hypercube",
                        return_columns=["Teacup Temperature"])
    assert again.bands == bands.bands
    # scipy's sampler with the same generator, run here independently of the function's code
    draws = 5.0 + 15.0 * qmc.LatinHypercube(d=1, rng=np.random.default_rng(3)).random(12)
    finals = [simulate(TEACUP, params={"Characteristic Time": float(d[0])},
                       return_columns=["Teacup Temperature"]).rows[-1][1] for d in draws]
    final = {p: values[-1] for p, values in bands.bands["Teacup Temperature"].items()}
    assert final[25.0] == pytest.approx(np.percentile(finals, 25))
    assert final[95.0] == pytest.approx(np.percentile(finals, 95))
    with pytest.raises(SimulationError, match="sampling is one of"):
        sensitivity(TEACUP, ranges, runs=3, sampling="sobol")
