// Draws the team × team flow heat map with Apache ECharts (served locally) from the page's
// #network-chart-data element; the same figures are in the table under it.
(function () {
  "use strict";
  var HEAT = ["#440154", "#3b528b", "#21918c", "#5ec962", "#fde725"];

  function draw() {
    var holder = document.querySelector("[data-chart='flow-matrix']");
    var source = document.getElementById("network-chart-data");
    if (!holder || !source || !window.echarts) { return; }
    var chart = JSON.parse(source.textContent);
    if (!chart.teams.length) { holder.hidden = true; return; }
    var cells = [], largest = 0;
    chart.matrix.forEach(function (row, from) {
      row.forEach(function (value, to) {
        cells.push([to, from, value]);
        largest = Math.max(largest, value);
      });
    });
    holder.style.height = Math.max(240, 40 * chart.teams.length + 120) + "px";
    var drawing = window.echarts.init(holder, null, { renderer: "svg" });
    drawing.setOption({
      aria: { enabled: true },
      animation: false,
      tooltip: { trigger: "item", renderMode: "richText" },
      grid: { containLabel: true, left: 8, right: 16, top: 16, bottom: 60 },
      xAxis: { type: "category", data: chart.teams, name: "receives", axisLabel: { interval: 0, rotate: 30 } },
      yAxis: { type: "category", data: chart.teams, name: "gives", inverse: true },
      visualMap: { min: 0, max: largest || 1, calculable: true, orient: "horizontal", left: "center", bottom: 0,
                   inRange: { color: HEAT } },
      series: [{ type: "heatmap", data: cells, label: { show: true } }],
    });
    window.addEventListener("resize", function () { drawing.resize(); });
  }

  document.addEventListener("DOMContentLoaded", draw);
})();
