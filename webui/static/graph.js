/* The graph view: Cytoscape.js (from npm, served by the app) draws the neighbourhood the page
   carries as JSON. Selecting a term shows its details and adds its own neighbours (fetched from
   the JSON route); checkboxes filter by term type, relation and kind. Without JavaScript the page
   keeps its table of relations. */
(function () {
  "use strict";

  var cfgEl = document.getElementById("graph-config");
  var dataEl = document.getElementById("graph-data");
  var container = document.getElementById("cy");
  if (!cfgEl || !dataEl || !container || typeof window.cytoscape === "undefined") {
    return;
  }
  var cfg = JSON.parse(cfgEl.textContent);
  var first = JSON.parse(dataEl.textContent);
  var form = document.getElementById("graph-filters");
  var info = document.getElementById("graph-info");

  // Colours come from the stylesheet (one place), read through a swatch per type.
  var colours = {};
  function colourOf(type) {
    if (!colours[type]) {
      var probe = document.createElement("span");
      probe.className = "swatch";
      probe.setAttribute("data-type", type);
      probe.style.display = "none";
      document.body.appendChild(probe);
      colours[type] = getComputedStyle(probe).getPropertyValue("--node-colour").trim() || "#d3d3d3";
      probe.remove();
    }
    return colours[type];
  }
  function local(iri) { return iri.indexOf(cfg.namespace) === 0 ? iri.slice(cfg.namespace.length) : null; }

  function elementsOf(data) {
    var out = [];
    data.nodes.forEach(function (n) {
      out.push({ group: "nodes", data: { id: n.id, label: n.label, curie: n.curie, type: n.type,
        colour: colourOf(n.type), center: n.id === data.center ? 1 : 0 } });
    });
    data.edges.forEach(function (e) {
      out.push({ group: "edges", data: { id: e.id, source: e.source, target: e.target, label: e.relation_label,
        relation: e.relation, kind: e.kind, evidence: e.evidence, sources: e.sources } });
    });
    return out;
  }

  var cy = window.cytoscape({
    container: container,
    elements: elementsOf(first),
    wheelSensitivity: 0.3,
    style: [
      { selector: "node", style: {
        "background-color": "data(colour)", "label": "data(label)", "font-size": 11, "color": "#111",
        "text-wrap": "wrap", "text-max-width": 110, "text-valign": "bottom", "text-margin-y": 3,
        "border-width": 1, "border-color": "#333", "width": 22, "height": 22 } },
      { selector: "node[center = 1]", style: { "width": 34, "height": 34, "border-width": 3, "font-weight": "bold" } },
      { selector: "node:selected", style: { "border-color": "#000", "border-width": 4 } },
      { selector: "edge", style: {
        "curve-style": "bezier", "target-arrow-shape": "triangle", "width": 1.5, "line-color": "#777",
        "target-arrow-color": "#777", "label": "data(label)", "font-size": 9, "color": "#333",
        "text-rotation": "autorotate", "text-background-color": "#fff", "text-background-opacity": 0.8,
        "control-point-step-size": 28 } },
      { selector: "edge[kind = 'inferred']", style: { "line-style": "dashed" } },
      { selector: "edge[kind = 'association']", style: { "line-style": "dotted", "width": 2.5 } },
      { selector: ".filtered", style: { "display": "none" } }
    ],
    layout: { name: "cose", animate: false, randomize: false, nodeDimensionsIncludeLabels: true, padding: 20 }
  });

  // --- filters ---------------------------------------------------------------------------------
  function checked(name) {
    var on = {};
    form.querySelectorAll("input[name='" + name + "']").forEach(function (box) { on[box.value] = box.checked; });
    return on;
  }
  function ensureBox(name, value, fieldsetIndex, swatchType) {
    if (form.querySelector("input[name='" + name + "'][value='" + CSS.escape(value) + "']")) { return; }
    var label = document.createElement("label");
    var box = document.createElement("input");
    box.type = "checkbox"; box.name = name; box.value = value; box.checked = true;
    label.appendChild(box);
    if (swatchType) {
      var sw = document.createElement("span");
      sw.className = "swatch"; sw.setAttribute("data-type", swatchType); sw.setAttribute("aria-hidden", "true");
      label.appendChild(document.createTextNode(" "));
      label.appendChild(sw);
    }
    label.appendChild(document.createTextNode(" " + value));
    form.querySelectorAll("fieldset")[fieldsetIndex].appendChild(label);
  }
  function applyFilters() {
    var types = checked("type"), relations = checked("relation"), kinds = checked("kind");
    cy.batch(function () {
      cy.nodes().forEach(function (n) { n.toggleClass("filtered", types[n.data("type")] === false); });
      cy.edges().forEach(function (e) {
        var hide = relations[e.data("label")] === false || kinds[e.data("kind")] === false ||
          e.source().hasClass("filtered") || e.target().hasClass("filtered");
        e.toggleClass("filtered", hide);
      });
    });
  }
  form.addEventListener("change", applyFilters);
  document.getElementById("graph-reset").addEventListener("click", function () {
    form.querySelectorAll("input[type=checkbox]").forEach(function (box) { box.checked = true; });
    applyFilters();
    cy.fit(undefined, 20);
  });

  // --- selection: details and expansion -------------------------------------------------------
  function text(tag, content) { var el = document.createElement(tag); el.textContent = content; return el; }
  function link(href, content) { var a = text("a", content); a.href = href; return a; }
  function showNode(node) {
    info.replaceChildren();
    info.appendChild(text("h2", node.data("label")));
    info.appendChild(text("p", node.data("curie") + " · " + node.data("type")));
    var name = local(node.id());
    if (name) {
      var p = document.createElement("p");
      if (cfg.termPage) { p.appendChild(link(cfg.termPage.replace("__LOCAL__", name), "Term page")); p.appendChild(document.createTextNode(" · ")); }
      p.appendChild(link(cfg.graphPage.replace("__LOCAL__", name), "Centre the graph here"));
      info.appendChild(p);
    }
    info.hidden = false;
  }
  function showEdge(edge) {
    info.replaceChildren();
    info.appendChild(text("h2", edge.source().data("label") + " " + edge.data("label") + " " + edge.target().data("label")));
    var detail = edge.data("kind");
    var evidence = edge.data("evidence");
    if (evidence && evidence.summary) { detail += " · " + evidence.summary; }
    if (edge.data("sources") && edge.data("sources").length) { detail += " · sources: " + edge.data("sources").join("; "); }
    info.appendChild(text("p", detail));
    ((evidence && evidence.caveats) || []).forEach(function (note) { info.appendChild(text("p", "Caveat: " + note)); });
    info.hidden = false;
  }
  var expanded = {};
  expanded[first.center] = true;
  function expand(node) {
    var name = local(node.id());
    if (!name || expanded[node.id()]) { return Promise.resolve(); }
    expanded[node.id()] = true;
    return fetch(cfg.expand.replace("__LOCAL__", encodeURIComponent(name)), { headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); })
      .then(function (data) {
        var fresh = elementsOf(data).filter(function (el) { return cy.getElementById(el.data.id).empty(); });
        fresh.forEach(function (el) { if (el.group === "nodes") { el.data.center = 0; } });
        var pos = node.position();
        var added = cy.add(fresh.map(function (el) {
          if (el.group === "nodes") { el.position = { x: pos.x + (Math.random() - 0.5) * 80, y: pos.y + (Math.random() - 0.5) * 80 }; }
          return el;
        }));
        data.nodes.forEach(function (n) { ensureBox("type", n.type, 0, n.type); });
        data.edges.forEach(function (e) { ensureBox("relation", e.relation_label, 1, null); });
        applyFilters();
        if (added.nodes().length) {
          cy.layout({ name: "cose", animate: false, randomize: false, nodeDimensionsIncludeLabels: true, padding: 20 }).run();
        }
        container.setAttribute("data-expanded", Object.keys(expanded).length);
      })
      .catch(function (err) { info.appendChild(text("p", "Could not add the neighbours: " + err.message)); });
  }
  cy.on("tap", "node", function (evt) { showNode(evt.target); expand(evt.target); });
  cy.on("tap", "edge", function (evt) { showEdge(evt.target); });

  container.hidden = false;
  form.hidden = false;
  cy.resize();
  cy.fit(undefined, 20);
  container.setAttribute("data-ready", "true");
  window.lbpGraph = { cy: cy, expand: expand };
})();
