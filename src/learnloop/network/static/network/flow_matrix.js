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

// The admins' map of people: ECharts' force-directed graph, coloured by team or by community.
(function () {
  "use strict";
  var PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"];

  function draw() {
    var holder = document.querySelector("[data-chart='people-map']");
    var source = document.getElementById("network-chart-data");
    if (!holder || !source || !window.echarts) { return; }
    var people = JSON.parse(source.textContent).people;
    if (!people || !people.nodes.length) { holder.hidden = true; return; }
    holder.style.height = "560px";
    var drawing = window.echarts.init(holder, null, { renderer: "canvas" });
    var picker = document.querySelector("[data-map-colour]");

    function render(by) {
      var groups = [];
      people.nodes.forEach(function (node) {
        var key = String(node[by]);
        if (groups.indexOf(key) < 0) { groups.push(key); }
      });
      drawing.setOption({
        animation: false,
        color: PALETTE,
        tooltip: { renderMode: "richText" },
        legend: { type: "scroll", top: 0, data: groups.map(function (g) { return by === "team" ? g : "Community " + g; }) },
        series: [{
          type: "graph", layout: "force", roam: true, draggable: true,
          force: { repulsion: 60, edgeLength: 40, gravity: 0.1 },
          categories: groups.map(function (g) { return { name: by === "team" ? g : "Community " + g }; }),
          data: people.nodes.map(function (node) {
            return { id: node.id, name: node.name, value: node.degree, category: groups.indexOf(String(node[by])),
                     symbolSize: 4 + Math.sqrt(node.degree) * 3 };
          }),
          links: people.links.map(function (link) { return { source: link.source, target: link.target, value: link.weight }; }),
          lineStyle: { opacity: 0.3, width: 1 },
        }],
      }, true);
    }

    render("team");
    if (picker) { picker.addEventListener("change", function () { render(picker.value); }); }
    window.addEventListener("resize", function () { drawing.resize(); });
  }

  document.addEventListener("DOMContentLoaded", draw);
})();

// Ties per quarter (bars) and the share of the flow that crossed teams (line, %).
(function () {
  "use strict";

  function draw() {
    var holder = document.querySelector("[data-chart='quarters']");
    var source = document.getElementById("network-chart-data");
    if (!holder || !source || !window.echarts) { return; }
    var trend = JSON.parse(source.textContent).trend;
    if (!trend || !trend.x.length) { holder.hidden = true; return; }
    holder.style.height = "280px";
    var drawing = window.echarts.init(holder, null, { renderer: "svg" });
    drawing.setOption({
      aria: { enabled: true, decal: { show: true } },
      animation: false,
      color: ["#0072B2", "#E69F00"],
      tooltip: { trigger: "axis", renderMode: "richText" },
      legend: { top: 0 },
      grid: { containLabel: true, left: 8, right: 16, top: 40, bottom: 8 },
      xAxis: { type: "category", data: trend.x, name: "quarter from" },
      yAxis: [{ type: "value", name: "ties", min: 0, minInterval: 1 }, { type: "value", name: "% across teams", min: 0, max: 100 }],
      series: [
        { name: "Ties", type: "bar", data: trend.ties },
        { name: "Across teams (%)", type: "line", yAxisIndex: 1, data: trend.share, connectNulls: false },
      ],
    });
    window.addEventListener("resize", function () { drawing.resize(); });
  }

  document.addEventListener("DOMContentLoaded", draw);
})();

// The map of teams, for everyone who sees the report: teams as nodes (size: people), the flows of
// the matrix as arrows (width: weight). The same released teams and figures as the heat map.
(function () {
  "use strict";
  var PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"];

  function draw() {
    var holder = document.querySelector("[data-chart='team-map']");
    var source = document.getElementById("network-chart-data");
    if (!holder || !source || !window.echarts) { return; }
    var chart = JSON.parse(source.textContent);
    if (!chart.teams.length) { holder.hidden = true; return; }
    var largest = 0;
    chart.matrix.forEach(function (row, from) {
      row.forEach(function (value, to) { if (from !== to) { largest = Math.max(largest, value); } });
    });
    var links = [];
    chart.matrix.forEach(function (row, from) {
      row.forEach(function (value, to) {
        if (from !== to && value > 0) {
          links.push({ source: chart.teams[from], target: chart.teams[to], value: value,
                       lineStyle: { width: 1 + 7 * value / (largest || 1) } });
        }
      });
    });
    holder.style.height = "480px";
    var drawing = window.echarts.init(holder, null, { renderer: "canvas" });
    drawing.setOption({
      animation: false,
      color: PALETTE,
      tooltip: { renderMode: "richText" },
      series: [{
        type: "graph", layout: "force", roam: true, draggable: true,
        force: { repulsion: 400, edgeLength: [80, 200], gravity: 0.1 },
        edgeSymbol: ["none", "arrow"], edgeSymbolSize: 8,
        label: { show: true, position: "right" },
        data: chart.teams.map(function (name, index) {
          var hollow = chart.silo[index];
          return { id: name, name: name, value: chart.members[index],
                   symbolSize: 12 + 3 * Math.sqrt(chart.members[index]),
                   itemStyle: hollow ? { color: "#ffffff", borderColor: PALETTE[5], borderWidth: 3 }
                                     : { color: PALETTE[index % PALETTE.length] } };
        }),
        links: links,
        lineStyle: { opacity: 0.5, curveness: 0.15 },
      }],
    });
    window.addEventListener("resize", function () { drawing.resize(); });
  }

  document.addEventListener("DOMContentLoaded", draw);
})();
