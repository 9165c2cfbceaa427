"""Learnloop's psychometrics against R's psych on psych's own survey data (bfi).

tests/peers/r_psych/reference.R runs live: it writes psych's data sets (bfi from psych; spi
and msqR from psychTools) and psych's results into a temporary folder, and every statistic
here must agree. Needs Rscript with Debian's r-cran-psych, r-cran-psychtools,
r-cran-gparotation and r-cran-multilevel; without them these tests are skipped
(set LEARNLOOP_REQUIRE_R=1 to make that a failure instead, as CI should).
"""

import csv
import io
import json
import math
import os
import shutil
import subprocess
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command

from learnloop.analytics.psychometrics.answers_file import read_answers
from learnloop.analytics.psychometrics.matrices import pairwise_correlation
from learnloop.analytics.psychometrics.report import reliability_report
from learnloop.analytics.psychometrics.schmid_leiman import general_factor_loadings
from learnloop.analytics.psychometrics.scoring import LikertScale, reverse_keyed

REFERENCE_SCRIPT = Path(__file__).parents[2] / "peers" / "r_psych" / "reference.R"
SAME_FORMULA = 1e-10  # alpha, its interval, item statistics, ICCs, rwg(j): the same arithmetic as R
SAME_SEARCH = 1e-6  # omega: psych's numerical minres search, which we follow step for step
# General factor loadings only decide which items omega flips. The last step, a one-factor fit to
# the factor correlations, is often a Heywood case; there R's L-BFGS-B (2.x) and SciPy's (3.0)
# walk the bound differently and stop apart, by up to 3e-4 here.
ROTATION = 1e-3


R_PACKAGES = "'psych', 'psychTools', 'GPArotation', 'multilevel'"
INSTALL = "apt-get install r-cran-psych r-cran-psychtools r-cran-gparotation r-cran-multilevel"


def _r_unavailable() -> str | None:
    if shutil.which("Rscript") is None:
        return f"Rscript is not installed: {INSTALL}"
    probe = subprocess.run(
        ["Rscript", "-e", f"for (p in c({R_PACKAGES})) library(p, character.only = TRUE)"],
        capture_output=True, text=True, check=False,
    )
    if probe.returncode != 0:
        return f"R lacks psych, psychTools, GPArotation or multilevel: {INSTALL}"
    return None


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    reason = _r_unavailable()
    if reason:
        if os.environ.get("LEARNLOOP_REQUIRE_R") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    folder = tmp_path_factory.mktemp("r_psych")
    subprocess.run(["Rscript", str(REFERENCE_SCRIPT), str(folder)], check=True, capture_output=True, timeout=300)
    values = defaultdict(dict)
    with (folder / "values.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            value = float(row["value"]) if row["value"] != "NA" else math.nan
            values[(row["scale"], row["grouping"])][(row["statistic"], row["key"])] = value
    with (folder / "scales.csv").open(newline="") as handle:
        scales = {
            row["scale"]: {
                "file": folder / f"{row['dataset']}.csv",
                "items": row["items"].split(";"),
                "reverse": [name for name in row["reverse"].split(";") if name],
                "scale": LikertScale(float(row["min"]), float(row["max"])),
                "groupings": [name for name in row["groupings"].split(";") if name],
            }
            for row in csv.DictReader(handle)
        }
    return {"scales": scales, "values": values, "reports": {}}


def _answers(reference, scale_name, grouping=None):
    """The scale's answers from the same CSV the R script wrote, read the way the CLI reads it."""
    key = ("answers", scale_name, grouping)
    if key not in reference["reports"]:
        spec = reference["scales"][scale_name]
        reference["reports"][key] = read_answers(
            spec["file"].read_bytes(), items=spec["items"], scale=spec["scale"], group=grouping
        )
    return reference["reports"][key]


def _report(reference, scale_name, grouping=None):
    key = (scale_name, grouping)
    if key not in reference["reports"]:
        spec = reference["scales"][scale_name]
        answers = _answers(reference, scale_name, grouping)
        reference["reports"][key] = reliability_report(
            answers.values, items=spec["items"], scale=spec["scale"], reverse=spec["reverse"],
            groups=answers.groups, group_column=grouping or "group",
        )
    return reference["reports"][key]


SCALES = [
    "agreeableness", "conscientiousness", "extraversion", "neuroticism", "openness",
    "big_five", "agreeableness_unkeyed", "agreeableness_short", "agreeableness_four_unkeyed",
    "spi_conscientiousness", "spi_neuroticism", "spi_wellbeing",
    "energetic_arousal", "tense_arousal", "negative_affect",
]


def test_every_scale_the_script_checks_is_tested_here(reference):
    assert sorted(reference["scales"]) == sorted(SCALES)


@pytest.mark.parametrize("scale_name", SCALES)
def test_alpha_interval_and_item_statistics_match_psych_alpha(reference, scale_name):
    expected = reference["values"][(scale_name, "")]
    report = _report(reference, scale_name)

    assert report.n == expected[("n", "")]
    assert report.alpha == pytest.approx(expected[("alpha", "")], abs=SAME_FORMULA)
    assert report.alpha_ci[0] == pytest.approx(expected[("alpha_ci_low", "")], abs=SAME_FORMULA)
    assert report.alpha_ci[1] == pytest.approx(expected[("alpha_ci_high", "")], abs=SAME_FORMULA)
    for item in report.items:
        assert item.item_total_r == pytest.approx(expected[("item_total_r", item.item)], abs=SAME_FORMULA)
        assert item.alpha_if_deleted == pytest.approx(expected[("alpha_if_deleted", item.item)], abs=SAME_FORMULA)


@pytest.mark.parametrize("scale_name", SCALES)
def test_omega_total_matches_psych_omega(reference, scale_name):
    expected = reference["values"][(scale_name, "")]
    report = _report(reference, scale_name)

    assert report.omega_total == pytest.approx(expected[("omega_total", str(report.omega_factors))], abs=SAME_SEARCH)
    assert report.omega_total_one_factor == pytest.approx(expected[("omega_total_one_factor", "1")], abs=SAME_SEARCH)


@pytest.mark.parametrize("scale_name", SCALES)
def test_general_factor_loadings_match_psych_schmid(reference, scale_name):
    expected = reference["values"][(scale_name, "")]
    spec = reference["scales"][scale_name]
    report = _report(reference, scale_name)
    answers = _answers(reference, scale_name)
    keyed = reverse_keyed(answers.values, spec["scale"], [name in spec["reverse"] for name in spec["items"]])

    loadings = general_factor_loadings(pairwise_correlation(keyed), report.omega_factors)

    # psych reports them after flipping the items that load negatively, so all positive.
    assert np.abs(loadings) == pytest.approx(
        [expected[("general_loading", name)] for name in spec["items"]], abs=ROTATION
    )


@pytest.mark.parametrize("scale_name", SCALES)
def test_scale_scores_follow_the_documented_missing_data_rule(reference, scale_name):
    expected = reference["values"][(scale_name, "")]
    report = _report(reference, scale_name)

    assert report.n_scored == expected[("n_scored", "")]
    assert report.score_mean == pytest.approx(expected[("score_mean", "")], abs=SAME_FORMULA)


@pytest.mark.parametrize("scale_name", SCALES)
def test_icc_and_rwg_match_psych_statsby_and_multilevel(reference, scale_name):
    for grouping in reference["scales"][scale_name]["groupings"]:
        expected = reference["values"][(scale_name, grouping)]
        report = _report(reference, scale_name, grouping).grouping

        assert report.icc1 == pytest.approx(expected[("icc1", "")], abs=SAME_FORMULA), grouping
        assert report.icc2 == pytest.approx(expected[("icc2", "")], abs=SAME_FORMULA), grouping
        assert report.rwg_j_mean == pytest.approx(expected[("rwg_j_mean", "")], abs=SAME_FORMULA), grouping
        r_groups = {key: value for (statistic, key), value in expected.items() if statistic == "rwg_j"}
        # multilevel lists only groups with at least one complete respondent.
        ours = {group.group: group.rwg_j for group in report.groups if group.n_complete > 0}
        assert ours.keys() == r_groups.keys(), grouping
        for label, value in r_groups.items():
            if math.isnan(value):
                assert ours[label] is None, (grouping, label)
            else:
                assert ours[label] == pytest.approx(value, abs=SAME_FORMULA), (grouping, label)


def test_the_analyst_cli_reports_psych_values(reference):
    expected = reference["values"]
    spec = reference["scales"]["agreeableness"]
    output = io.StringIO()

    call_command(
        "survey", "reliability", str(spec["file"]), "--items", ",".join(spec["items"]),
        "--reverse", ",".join(spec["reverse"]), "--scale", "1-6", "--group", "education", "--format", "json",
        stdout=output,
    )
    result = json.loads(output.getvalue())

    overall = expected[("agreeableness", "")]
    assert result["alpha"] == pytest.approx(overall[("alpha", "")], abs=SAME_FORMULA)
    assert result["alpha_ci"] == pytest.approx([overall[("alpha_ci_low", "")], overall[("alpha_ci_high", "")]],
                                               abs=SAME_FORMULA)
    assert result["omega_total"] == pytest.approx(overall[("omega_total", "3")], abs=SAME_SEARCH)
    assert [item["item_total_r"] for item in result["items"]] == pytest.approx(
        [overall[("item_total_r", name)] for name in spec["items"]], abs=SAME_FORMULA
    )
    grouped = expected[("agreeableness", "education")]
    assert result["icc1"] == pytest.approx(grouped[("icc1", "")], abs=SAME_FORMULA)
    assert result["icc2"] == pytest.approx(grouped[("icc2", "")], abs=SAME_FORMULA)
    assert result["rwg_j_mean"] == pytest.approx(grouped[("rwg_j_mean", "")], abs=SAME_FORMULA)
    assert {group["group"]: group["rwg_j"] for group in result["groups"]} == pytest.approx(
        {key: value for (statistic, key), value in grouped.items() if statistic == "rwg_j"}, abs=SAME_FORMULA
    )
