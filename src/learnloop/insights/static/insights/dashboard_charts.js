// Draws the dashboard's charts with Apache ECharts (served locally, no network) from the page's
// #dashboard-chart-data json_script element. Every chart also has a data table in the page.
// Colours: the Okabe-Ito palette, readable with the common colour-vision deficiencies, plus
// ECharts' decal patterns, so series differ by pattern as well as by colour.
(function () {
  "use strict";

  var PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"];
  // A sequential blue-to-yellow ramp (viridis-like): ordered by lightness, not by hue alone.
  var HEAT = ["#440154", "#3b528b", "#21918c", "#5ec962", "#fde725"];

  function base(chart) {
    return {
      color: PALETTE,
      aria: { enabled: true, decal: { show: true } },
      animation: false,
      tooltip: { trigger: chart.kind === "heatmap" ? "item" : "axis", renderMode: "richText" },
      grid: { containLabel: true, left: 8, right: 16, top: 40, bottom: 8 },
    };
  }

  function line(chart) {
    var option = base(chart);
    option.legend = { type: "scroll", top: 0 };
    option.xAxis = { type: "category", data: chart.x };
    option.yAxis = [{ type: "value", name: "%", min: 0, max: 100 }, { type: "value", name: chart.axis_per_month || "", min: 0 }];
    option.series = chart.series.map(function (item) {
      return { name: item.name, type: "line", yAxisIndex: item.axis, data: item.values, connectNulls: false,
               symbolSize: 7 };
    });
    return option;
  }

  function hbar(chart) {
    var option = base(chart);
    option.xAxis = { type: "value", min: 0 };
    option.yAxis = { type: "category", data: chart.x, inverse: true, axisLabel: { interval: 0 } };
    option.series = chart.series.map(function (item) {
      return { name: item.name, type: "bar", data: item.values, label: { show: true, position: "right" } };
    });
    return option;
  }

  function stacked(chart) {
    var option = base(chart);
    option.legend = { type: "scroll", top: 0 };
    option.xAxis = { type: "category", data: chart.x };
    option.yAxis = [{ type: "value", min: 0, minInterval: 1 }];
    // A series with axis 1 (a rate in percent) gets its own axis on the right.
    if (chart.series.some(function (item) { return item.axis === 1; })) {
      option.yAxis.push({ type: "value", name: "%", min: 0, max: 100 });
    }
    option.series = chart.series.map(function (item) {
      return item.line
        ? { name: item.name, type: "line", yAxisIndex: item.axis || 0, data: item.values, symbolSize: 7,
            connectNulls: false }
        : { name: item.name, type: "bar", stack: item.stack, data: item.values };
    });
    return option;
  }

  function heatmap(chart) {
    var option = base(chart);
    var values = chart.cells.map(function (cell) { return cell[2]; });
    option.grid.bottom = 60;
    option.xAxis = { type: "category", data: chart.x, axisLabel: { interval: 0, rotate: 30 } };
    option.yAxis = { type: "category", data: chart.y, inverse: true, axisLabel: { interval: 0 } };
    option.visualMap = { min: Math.min.apply(null, values), max: Math.max.apply(null, values), calculable: false,
                         orient: "horizontal", left: "center", bottom: 0, inRange: { color: HEAT } };
    // Each cell prints its value, so no pattern is needed to tell cells apart (decals would hide them).
    option.aria.decal.show = false;
    option.series = [{ type: "heatmap", data: chart.cells, label: { show: true, color: "#fff",
                       textBorderColor: "#000", textBorderWidth: 2 } }];
    return option;
  }

  var BUILDERS = { line: line, hbar: hbar, stacked: stacked, heatmap: heatmap };

  function draw() {
    var source = document.getElementById("dashboard-chart-data");
    if (!source || typeof echarts === "undefined") { return; }
    var charts = JSON.parse(source.textContent);
    charts.forEach(function (chart) {
      var element = document.querySelector('.dashboard-chart[data-chart="' + chart.id + '"]');
      var build = BUILDERS[chart.kind];
      if (!element || !build) { return; }
      // Room for every row's label: about 28 pixels a row (CSSOM, which the style policy allows).
      if (chart.kind === "heatmap" && chart.y) {
        element.style.height = Math.max(240, 28 * chart.y.length + 170) + "px";
      } else if (chart.kind === "hbar" && chart.x) {
        element.style.height = Math.max(240, 28 * chart.x.length + 60) + "px";
      }
      var instance = echarts.init(element, null, { renderer: "canvas" });
      instance.setOption(build(chart));
      window.addEventListener("resize", function () { instance.resize(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
