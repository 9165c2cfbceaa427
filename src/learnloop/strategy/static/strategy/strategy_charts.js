// Draws the strategy pages' charts with Apache ECharts (served locally) from json_script
// elements: the roadmap timeline (#roadmap-data) and a key result's history (#key-result-data).
// Each chart has a data table in the page with the same figures. Okabe-Ito colours and decals.
(function () {
  "use strict";

  var PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"];
  var STATUS = { planned: 0, active: 1, paused: 2, done: 3, cancelled: 4 };

  function data(id) {
    var source = document.getElementById(id);
    return source ? JSON.parse(source.textContent) : null;
  }

  function timeline(element, roadmap) {
    var rows = roadmap.rows;
    element.style.height = Math.max(200, 30 * rows.length + 80) + "px";
    var instance = echarts.init(element, null, { renderer: "canvas" });
    instance.setOption({
      color: PALETTE,
      aria: { enabled: true, decal: { show: true } },
      animation: false,
      tooltip: { trigger: "item", renderMode: "richText", formatter: function (p) {
        var row = rows[p.value[0]];
        return row.title + " (" + row.status + "): " + row.start + " – " + row.end;
      } },
      grid: { containLabel: true, left: 8, right: 24, top: 16, bottom: 8 },
      xAxis: { type: "time" },
      yAxis: { type: "category", inverse: true, data: rows.map(function (row) { return row.title; }),
               axisLabel: { interval: 0 } },
      series: [{
        type: "custom",
        encode: { x: [1, 2], y: 0 },
        data: rows.map(function (row, index) {
          return { value: [index, row.start, row.end], itemStyle: { color: PALETTE[STATUS[row.status] || 0] } };
        }),
        renderItem: function (params, api) {
          var start = api.coord([api.value(1), api.value(0)]);
          var end = api.coord([api.value(2), api.value(0)]);
          var height = api.size([0, 1])[1] * 0.6;
          return { type: "rect", shape: { x: start[0], y: start[1] - height / 2,
                                          width: Math.max(2, end[0] - start[0]), height: height },
                   style: api.style() };
        }
      }]
    });
    window.addEventListener("resize", function () { instance.resize(); });
  }

  function history(element, chart) {
    var labels = chart.labels || {};  // translated on the page (key_result view)
    var instance = echarts.init(element, null, { renderer: "canvas" });
    var days = chart.points.map(function (p) { return p.on; });
    instance.setOption({
      color: PALETTE,
      aria: { enabled: true, decal: { show: true } },
      animation: false,
      tooltip: { trigger: "axis", renderMode: "richText" },
      legend: { top: 0 },
      grid: { containLabel: true, left: 8, right: 24, top: 40, bottom: 8 },
      xAxis: { type: "category", data: days },
      yAxis: { type: "value", name: chart.unit },
      series: [
        { name: labels.value, type: "line", data: chart.points.map(function (p) { return p.value; }), symbolSize: 7,
          markLine: { symbol: "none", data: [{ yAxis: chart.target, name: labels.target }],
                      label: { formatter: labels.target_value } } },
        { name: labels.low, type: "line", data: chart.points.map(function (p) { return p.low; }),
          lineStyle: { type: "dashed" }, symbol: "none" },
        { name: labels.high, type: "line", data: chart.points.map(function (p) { return p.high; }),
          lineStyle: { type: "dashed" }, symbol: "none" }
      ]
    });
    window.addEventListener("resize", function () { instance.resize(); });
  }

  function draw() {
    if (typeof echarts === "undefined") { return; }
    var roadmap = data("roadmap-data");
    var element = document.querySelector(".strategy-chart[data-chart='roadmap']");
    if (roadmap && element && roadmap.rows.length) { timeline(element, roadmap); }
    var kr = data("key-result-data");
    element = document.querySelector(".strategy-chart[data-chart='key-result']");
    if (kr && element && kr.points.length) { history(element, kr); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
