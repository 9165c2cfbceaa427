from learnloop.experiments.chart import ChartRow, effect_chart


def test_points_and_intervals_sit_on_one_axis_with_zero_marked():
    chart = effect_chart([ChartRow("B", 0.05, 0.01, 0.09, "better"), ChartRow("C", -0.02, -0.08, 0.04, "inconclusive")])
    better, unclear = chart.rows
    assert chart.plot_left <= unclear.x_low < chart.zero_x < better.x_low < better.x < better.x_high <= chart.plot_right
    assert unclear.x_low < unclear.x < chart.zero_x < unclear.x_high
    assert better.y < unclear.y <= chart.axis_y
    assert "0%" in [label for _, label in chart.ticks]


def test_nothing_to_draw_gives_no_chart():
    assert effect_chart([]) is None
    assert effect_chart([ChartRow("B", float("nan"), 0.0, 0.1, "error")]) is None
