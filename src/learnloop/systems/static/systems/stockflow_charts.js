// Stock-and-flow charts with Apache ECharts (served locally): a run's variables or scenarios
// compared ("lines"), and a sensitivity run's percentile bands ("bands"). The data is in the
// page's json_script element named by data-stockflow-chart; the same figures are in a table.
// Sliders show their value as they move.
(function () {
  "use strict";
  var PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#F0E442"];

  function pairs(time, values) {
    return time.map(function (moment, index) { return [moment, values[index]]; });
  }

  function lines(chart) {
    return {
      color: PALETTE,
      legend: { type: "scroll", top: 0 },
      series: chart.series.map(function (serie) {
        return { name: serie.name, type: "line", showSymbol: false, data: pairs(chart.time, serie.values) };
      }),
    };
  }

  function bands(chart) {
    var p = chart.percentiles;
    var labels = chart.labels || {};  // translated on the page (stockflow views)
    var low90 = p.p5, high90 = p.p95, low50 = p.p25, high50 = p.p75, median = p.p50;
    var series = [];
    function band(name, low, high, colour) {
      if (!low || !high) { return; }
      series.push({ name: name + " " + labels.base, type: "line", stack: name, symbol: "none", lineStyle: { opacity: 0 },
                    data: pairs(chart.time, low), tooltip: { show: false } });
      series.push({ name: name, type: "line", stack: name, symbol: "none", lineStyle: { opacity: 0 },
                    areaStyle: { color: colour },
                    data: chart.time.map(function (moment, index) {
                      var a = low[index], b = high[index];
                      return [moment, a === null || b === null ? null : b - a];
                    }) });
    }
    band(labels.band90, low90, high90, "rgba(0, 114, 178, 0.18)");
    band(labels.band50, low50, high50, "rgba(0, 114, 178, 0.35)");
    if (median) {
      series.push({ name: labels.median, type: "line", symbol: "none", color: "#0072B2", data: pairs(chart.time, median) });
    }
    return { legend: { top: 0, data: [labels.band90, labels.band50, labels.median] }, series: series };
  }

  function draw(holder) {
    var source = document.getElementById(holder.getAttribute("data-stockflow-chart"));
    if (!source || !window.echarts) { return; }
    var chart = JSON.parse(source.textContent);
    var option = chart.kind === "bands" ? bands(chart) : lines(chart);
    holder.style.height = "380px";
    var drawing = window.echarts.init(holder, null, { renderer: "svg" });
    option.aria = { enabled: true };
    option.animation = false;
    option.tooltip = { trigger: "axis", renderMode: "richText" };
    option.grid = { containLabel: true, left: 8, right: 24, top: 48, bottom: 32 };
    option.xAxis = { type: "value", name: chart.time_units || (chart.labels || {}).time || "", nameLocation: "middle", nameGap: 24,
                     min: "dataMin", max: "dataMax" };
    option.yAxis = { type: "value", scale: true };
    drawing.setOption(option);
    window.addEventListener("resize", function () { drawing.resize(); });
  }

  function sliders() {
    document.querySelectorAll("input[data-slider]").forEach(function (input) {
      var shown = document.querySelector("[data-slider-value='" + input.id + "']");
      if (!shown) { return; }
      input.addEventListener("input", function () { shown.textContent = input.value; });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-stockflow-chart]").forEach(draw);
    sliders();
  });
})();
