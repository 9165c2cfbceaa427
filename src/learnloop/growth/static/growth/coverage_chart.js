// Draws the team × skill coverage heat map with Apache ECharts (served locally) from the page's
// #coverage-chart-data json_script element. The page's table holds the same numbers.
(function () {
  "use strict";
  // A sequential ramp ordered by lightness (viridis-like), readable without telling hues apart.
  var HEAT = ["#440154", "#3b528b", "#21918c", "#5ec962", "#fde725"];

  function draw() {
    var holder = document.getElementById("coverage-chart");
    var source = document.getElementById("coverage-chart-data");
    if (!holder || !source || typeof echarts === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    if (!data.teams.length || !data.skills.length) { return; }
    var most = Math.max.apply(null, data.cells.map(function (c) { return c[2]; }).concat([1]));
    holder.classList.add("drawn");
    var chart = echarts.init(holder, null, { renderer: "svg" });
    chart.setOption({
      aria: { enabled: true, decal: { show: true } },
      animation: false,
      tooltip: { trigger: "item", renderMode: "richText", formatter: function (p) {
        return data.teams[p.value[1]] + " · " + data.skills[p.value[0]] + ": " + p.value[2] +
          " at level " + data.level + " or above";
      } },
      grid: { containLabel: true, left: 8, right: 16, top: 16, bottom: 60 },
      xAxis: { type: "category", data: data.skills, axisLabel: { rotate: 45, interval: 0 } },
      yAxis: { type: "category", data: data.teams },
      visualMap: { min: 0, max: most, calculable: true, orient: "horizontal", left: "center", bottom: 0,
                   inRange: { color: HEAT } },
      series: [{ type: "heatmap", data: data.cells, label: { show: true } }],
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
