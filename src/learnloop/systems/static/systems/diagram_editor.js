// The causal loop diagram editor on Cytoscape.js (served locally): reads the model from the
// #diagram-editor-data json_script, draws it, lets an editor add variables and links (+/−,
// delayed), drag, lay out automatically, undo, and save through the page's #save-form (a normal
// form post: the server cleans the model, stores a version and reads the loops again). Buttons
// with data-variables highlight a loop or archetype. The tables in the page show the same model
// with forms that work without this script. Also draws the bound variables' chart with ECharts.
(function () {
  "use strict";

  var PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"];

  // The editor's sentences come translated from the page (the "texts" of #diagram-editor-data),
  // with {name}-style placeholders filled in here.
  var texts = {};
  function t(key, values) {
    return (texts[key] || key).replace(/\{(\w+)\}/g, function (match, name) {
      return values && values[name] !== undefined ? values[name] : match;
    });
  }

  function data(id) {
    var source = document.getElementById(id);
    return source ? JSON.parse(source.textContent) : null;
  }

  function edgeLabel(link) {
    return (link.polarity === "-" ? "−" : "+") + (link.delay ? " ‖" : "");
  }

  function elementsOf(content, trends) {
    var elements = [];
    content.variables.forEach(function (variable, index) {
      var trend = trends[variable.name];
      var label = variable.name;
      if (trend && trend.visible && trend.latest !== null) {
        label += "\n" + trend.label + ": " + Number(trend.latest).toFixed(2) + " (" + trend.direction + ")";
      } else if (variable.binding) {
        label += "\n" + t("bound");
      }
      var node = { group: "nodes", data: { id: "v" + index, name: variable.name, label: label,
                                           binding: variable.binding || null } };
      if (variable.x !== null && variable.x !== undefined) {
        node.position = { x: variable.x, y: variable.y };
      }
      elements.push(node);
    });
    var ids = {};
    content.variables.forEach(function (variable, index) { ids[variable.name] = "v" + index; });
    content.links.forEach(function (link, index) {
      elements.push({ group: "edges", data: { id: "l" + index, source: ids[link.source], target: ids[link.target],
                                              polarity: link.polarity, delay: link.delay, label: edgeLabel(link) } });
    });
    return elements;
  }

  function contentOf(cy) {
    var variables = cy.nodes().map(function (node) {
      var position = node.position();
      return { name: node.data("name"), x: Math.round(position.x * 10) / 10, y: Math.round(position.y * 10) / 10,
               binding: node.data("binding") };
    });
    var links = cy.edges().map(function (edge) {
      return { source: edge.source().data("name"), target: edge.target().data("name"),
               polarity: edge.data("polarity"), delay: !!edge.data("delay") };
    });
    return { variables: variables, links: links };
  }

  var STYLE = [
    { selector: "node", style: { "label": "data(label)", "text-wrap": "wrap", "text-valign": "center",
      "text-halign": "center", "background-color": "#f5f7fa", "border-width": 1, "border-color": "#0072B2",
      "shape": "round-rectangle", "width": "label", "height": "label", "padding": "10px", "font-size": 12 } },
    { selector: "edge", style: { "curve-style": "bezier", "target-arrow-shape": "triangle", "label": "data(label)",
      "font-size": 14, "font-weight": "bold", "text-background-color": "#fff", "text-background-opacity": 1,
      "line-color": "#555", "target-arrow-color": "#555", "width": 1.5 } },
    { selector: "edge[polarity = '-']", style: { "line-style": "dashed", "line-color": "#D55E00",
      "target-arrow-color": "#D55E00", "color": "#D55E00" } },
    { selector: ".highlighted", style: { "border-width": 4, "border-color": "#E69F00", "line-color": "#E69F00",
      "target-arrow-color": "#E69F00", "width": 4 } },
    { selector: ".faded", style: { "opacity": 0.25 } },
    { selector: ":selected", style: { "border-width": 3, "border-color": "#009E73", "line-color": "#009E73",
      "target-arrow-color": "#009E73" } },
    { selector: ".pending", style: { "border-width": 3, "border-style": "double", "border-color": "#CC79A7" } }
  ];

  function editor() {
    var container = document.getElementById("diagram-canvas");
    var model = data("diagram-editor-data");
    if (!container || !model || typeof cytoscape === "undefined") { return; }
    texts = model.texts || {};
    var status = document.getElementById("editor-status");
    var saveForm = document.getElementById("save-form");
    var readonly = !saveForm || model.readonly;
    var placed = model.content.variables.every(function (v) { return v.x !== null && v.x !== undefined; });
    var cy = cytoscape({ container: container, elements: elementsOf(model.content, model.trends || {}),
                         style: STYLE, wheelSensitivity: 0.3, autoungrabify: false, boxSelectionEnabled: false,
                         layout: placed ? { name: "preset" } : { name: "circle", padding: 30 } });
    var history = [];
    var pending = null;

    function say(text) { if (status) { status.textContent = text; } }

    function highlight(names, closed) {
      cy.elements().removeClass("highlighted faded");
      if (!names) { return; }
      var chosen = cy.nodes().filter(function (node) { return names.indexOf(node.data("name")) >= 0; });
      var edges = cy.edges().filter(function (edge) {
        var from = names.indexOf(edge.source().data("name"));
        var to = names.indexOf(edge.target().data("name"));
        if (from < 0 || to < 0) { return false; }
        return closed ? (to === (from + 1) % names.length) : true;
      });
      cy.elements().addClass("faded");
      chosen.union(edges).removeClass("faded").addClass("highlighted");
      say(t("highlighted", { path: names.join(" → ") + (closed ? " → " + names[0] : "") }));
    }

    document.querySelectorAll("button.highlight").forEach(function (button) {
      button.addEventListener("click", function () {
        highlight(button.getAttribute("data-variables").split("|"), button.getAttribute("data-closed") === "yes");
        container.scrollIntoView({ block: "center" });
      });
    });

    if (readonly) { cy.autoungrabify(true); return; }

    var tools = document.getElementById("editor-tools");
    var contentInput = saveForm.querySelector("input[name=content]");
    var saveButton = document.getElementById("save-diagram");
    var undoButton = document.getElementById("tool-undo");
    var source = document.getElementById("tool-source");
    var target = document.getElementById("tool-target");
    tools.hidden = false;

    function names() { return cy.nodes().map(function (node) { return node.data("name"); }); }

    function refreshChoices() {
      [source, target].forEach(function (select) {
        var kept = select.value;
        select.textContent = "";
        names().forEach(function (name) {
          var option = document.createElement("option");
          option.value = name;
          option.textContent = name;
          select.appendChild(option);
        });
        if (names().indexOf(kept) >= 0) { select.value = kept; }
      });
    }

    function changed() {
      contentInput.value = JSON.stringify(contentOf(cy));
      saveButton.disabled = false;
      undoButton.disabled = history.length === 0;
      refreshChoices();
    }

    function remember() {
      history.push(JSON.stringify(contentOf(cy)));
      if (history.length > 100) { history.shift(); }
    }

    function rebuild(content) {
      cy.elements().remove();
      cy.add(elementsOf(content, model.trends || {}));
    }

    function nodeNamed(name) {
      return cy.nodes().filter(function (node) { return node.data("name") === name; });
    }

    var counter = cy.elements().length;
    function addVariable(name) {
      name = name.replace(/\s+/g, " ").trim();
      if (!name) { say(t("name_first")); return; }
      if (nodeNamed(name).length) { say(t("variable_exists", { name: name })); return; }
      remember();
      var extent = cy.extent();
      counter += 1;
      cy.add({ group: "nodes", data: { id: "n" + counter, name: name, label: name, binding: null },
               position: { x: extent.x1 + 60 + (counter * 37) % Math.max(60, extent.w - 120),
                           y: extent.y1 + 50 + (counter * 53) % Math.max(60, extent.h - 100) } });
      say(t("variable_added", { name: name }));
      changed();
    }

    function addLink(from, to) {
      var polarity = document.getElementById("tool-polarity").value;
      var delay = document.getElementById("tool-delay").checked;
      var a = nodeNamed(from), b = nodeNamed(to);
      if (!a.length || !b.length) { say(t("choose_two")); return; }
      if (cy.edges().some(function (e) { return e.source().same(a) && e.target().same(b); })) {
        say(t("link_exists", { from: from, to: to })); return;
      }
      remember();
      counter += 1;
      var link = { polarity: polarity, delay: delay };
      cy.add({ group: "edges", data: { id: "e" + counter, source: a.id(), target: b.id(), polarity: polarity,
                                       delay: delay, label: edgeLabel(link) } });
      say(t(delay ? "linked_delayed" : "linked", { from: from, to: to, polarity: polarity === "-" ? "−" : "+" }));
      changed();
    }

    document.getElementById("tool-add-variable").addEventListener("click", function () {
      var input = document.getElementById("tool-name");
      addVariable(input.value);
      input.value = "";
      input.focus();
    });
    document.getElementById("tool-name").addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); document.getElementById("tool-add-variable").click(); }
    });
    document.getElementById("tool-add-link").addEventListener("click", function () {
      addLink(source.value, target.value);
    });
    document.getElementById("tool-remove").addEventListener("click", function () {
      var selected = cy.$(":selected");
      if (!selected.length) { say(t("select_first")); return; }
      remember();
      cy.remove(selected.union(selected.connectedEdges()));
      say(t("removed"));
      changed();
    });
    document.getElementById("tool-layout").addEventListener("click", function () {
      remember();
      cy.layout({ name: "cose", animate: false, randomize: false, padding: 30, nodeRepulsion: function () { return 9000; } })
        .run();
      say(t("laid_out"));
      changed();
    });
    undoButton.addEventListener("click", function () {
      if (!history.length) { return; }
      rebuild(JSON.parse(history.pop()));
      say(t("undone"));
      changed();
    });
    document.getElementById("tool-clear").addEventListener("click", function () { highlight(null); say(""); });

    cy.on("grab", "node", function () { remember(); });
    cy.on("dragfree", "node", function () { changed(); });
    cy.on("tap", "node", function (event) {
      var node = event.target;
      if (pending && pending.id() !== node.id()) {
        pending.removeClass("pending");
        addLink(pending.data("name"), node.data("name"));
        pending = null;
      } else if (pending) {
        pending.removeClass("pending");
        pending = null;
        say("");
      } else {
        pending = node.addClass("pending");
        say(t("linking_from", { name: node.data("name") }));
      }
    });
    cy.on("tap", function (event) {
      if (event.target === cy && pending) { pending.removeClass("pending"); pending = null; say(""); }
    });

    refreshChoices();
    if (model.unsaved) { changed(); say(t("not_saved")); }
    else { contentInput.value = JSON.stringify(contentOf(cy)); }
  }

  function chart() {
    var element = document.getElementById("bound-chart");
    var figures = data("bound-chart-data");
    if (!element || !figures || typeof echarts === "undefined") { return; }
    var instance = echarts.init(element, null, { renderer: "canvas" });
    instance.setOption({
      color: PALETTE, aria: { enabled: true, decal: { show: true } }, animation: false,
      tooltip: { trigger: "axis", renderMode: "richText" }, legend: { top: 0 },
      grid: { containLabel: true, left: 8, right: 24, top: 40, bottom: 8 },
      xAxis: { type: "category", data: figures.months },
      yAxis: { type: "value", scale: true },
      series: figures.series.map(function (item) {
        return { name: item.variable, type: "line", connectNulls: false, data: item.values };
      })
    });
    window.addEventListener("resize", function () { instance.resize(); });
  }

  document.addEventListener("DOMContentLoaded", function () { editor(); chart(); });
}());
