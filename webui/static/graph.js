/* The graph view: Cytoscape.js (from npm, served by the app) draws the neighbourhood the page
   carries as JSON. Selecting a term shows its details (in a panel over the drawing, so it is in view)
   and adds its own neighbours (fetched from the JSON route); an expanded term can be collapsed, and
   the last expand, collapse or added term undone. A term can be added by any of its names through
   the site's search. Checkboxes filter by term type, relation and kind. After every layout, nodes
   are pushed apart until no two labels overlap. Without JavaScript the page keeps its table of
   relations. */
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
  var counts = document.getElementById("graph-counts");
  var message = document.getElementById("graph-message");
  var undoButton = document.getElementById("graph-undo");
  var addForm = document.getElementById("graph-add");
  var addInput = document.getElementById("graph-add-term");

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

  var LAYOUT = {
    name: "cose", animate: false, randomize: false, nodeDimensionsIncludeLabels: true, padding: 30,
    nodeRepulsion: function () { return 30000; }, idealEdgeLength: function () { return 60; },
    edgeElasticity: function () { return 80; }, nodeOverlap: 20, gravity: 0.6, numIter: 2500,
    componentSpacing: 100, nestingFactor: 1.2
  };

  var cy = window.cytoscape({
    container: container,
    elements: elementsOf(first),
    wheelSensitivity: 0.3,
    minZoom: 0.15,
    maxZoom: 3,
    style: [
      { selector: "node", style: {
        "background-color": "data(colour)", "label": "data(label)", "font-size": 12, "color": "#111",
        "text-wrap": "wrap", "text-max-width": 100, "text-valign": "bottom", "text-halign": "center",
        "text-margin-y": 4, "text-background-color": "#fff", "text-background-opacity": 0.85,
        "text-background-padding": 1, "border-width": 1, "border-color": "#333", "width": 22, "height": 22 } },
      { selector: "node[center = 1]", style: { "width": 34, "height": 34, "border-width": 3, "font-weight": "bold" } },
      { selector: "node.expanded", style: { "border-width": 3, "border-style": "double" } },
      { selector: "node:selected", style: { "border-color": "#000", "border-width": 4, "border-style": "solid" } },
      { selector: "edge", style: {
        "curve-style": "bezier", "target-arrow-shape": "triangle", "width": 1.5, "line-color": "#888",
        "target-arrow-color": "#888", "label": "data(label)", "font-size": 9, "color": "#333",
        "min-zoomed-font-size": 11,
        "text-rotation": "autorotate", "text-background-color": "#fff", "text-background-opacity": 0.85,
        "control-point-step-size": 28 } },
      { selector: "edge.hl", style: { "line-color": "#222", "target-arrow-color": "#222", "width": 2.5,
        "min-zoomed-font-size": 0, "font-size": 11, "z-index": 10 } },
      { selector: "edge[kind = 'inferred']", style: { "line-style": "dashed" } },
      { selector: "edge[kind = 'association']", style: { "line-style": "dotted", "width": 2.5 } },
      { selector: ".filtered", style: { "display": "none" } }
    ],
    layout: { name: "preset" }
  });

  // --- layout: concentric start, force-directed, then no two labels overlapping ----------------
  function labelBox(node) {
    var b = node.boundingBox({ includeLabels: true, includeOverlays: false, includeEdges: false });
    return { x1: b.x1 - 3, x2: b.x2 + 3, y1: b.y1 - 3, y2: b.y2 + 3 };
  }
  function separate() {
    var nodes = cy.nodes().filter(function (n) { return !n.hasClass("filtered"); });
    var boxes = nodes.map(labelBox);
    for (var round = 0; round < 400; round++) {
      var moved = false;
      for (var i = 0; i < nodes.length; i++) {
        for (var j = i + 1; j < nodes.length; j++) {
          var a = boxes[i], b = boxes[j];
          var ox = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
          var oy = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
          if (ox <= 0 || oy <= 0) { continue; }
          var dx = 0, dy = 0;
          if (ox < oy) { dx = (ox / 2 + 1) * ((a.x1 + a.x2) <= (b.x1 + b.x2) ? -1 : 1); }
          else { dy = (oy / 2 + 1) * ((a.y1 + a.y2) <= (b.y1 + b.y2) ? -1 : 1); }
          [[i, dx, dy], [j, -dx, -dy]].forEach(function (m) {
            var n = nodes[m[0]], p = n.position(), box = boxes[m[0]];
            n.position({ x: p.x + m[1], y: p.y + m[2] });
            box.x1 += m[1]; box.x2 += m[1]; box.y1 += m[2]; box.y2 += m[2];
          });
          moved = true;
        }
      }
      if (!moved) { break; }
    }
  }
  // Stretch the drawing to the shape of the canvas before separating labels, so it fills the space.
  function fitAspect() {
    var nodes = cy.nodes().filter(function (n) { return !n.hasClass("filtered"); });
    var box = nodes.boundingBox({ includeLabels: true, includeEdges: false });
    if (nodes.length < 3 || !box.w || !box.h || !cy.width() || !cy.height()) { return; }
    var k = Math.sqrt((cy.width() / cy.height()) / (box.w / box.h));
    var cx = (box.x1 + box.x2) / 2, cyy = (box.y1 + box.y2) / 2;
    nodes.positions(function (n) { var p = n.position(); return { x: cx + (p.x - cx) * k, y: cyy + (p.y - cyy) / k }; });
  }
  function layout() {
    cy.layout(LAYOUT).run();
    fitAspect();
    separate();
    cy.fit(cy.nodes().filter(function (n) { return !n.hasClass("filtered"); }), 20);
  }
  cy.layout({ name: "concentric", animate: false, minNodeSpacing: 10, startAngle: 0.5,
    concentric: function (n) { return n.data("center") ? 2 : 1; }, levelWidth: function () { return 1; } }).run();

  // --- counts and messages ----------------------------------------------------------------------
  function plural(n, one, many) { return n + " " + (n === 1 ? one : many); }
  function updateCounts() {
    var nodes = cy.nodes().filter(function (n) { return !n.hasClass("filtered"); }).length;
    var edges = cy.edges().filter(function (e) { return !e.hasClass("filtered"); }).length;
    counts.textContent = plural(nodes, "term", "terms") + " and " + plural(edges, "relation", "relations");
    container.setAttribute("data-nodes", nodes);
    container.setAttribute("data-edges", edges);
  }
  function say(textContent, isError) {
    message.textContent = textContent;
    message.classList.toggle("graph-error", !!isError);
  }

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
    updateCounts();
  }
  form.addEventListener("change", applyFilters);
  document.getElementById("graph-reset").addEventListener("click", function () {
    form.querySelectorAll("input[type=checkbox]").forEach(function (box) { box.checked = true; });
    applyFilters();
    layout();
  });

  // --- expand, collapse, undo --------------------------------------------------------------------
  // addedBy[id]: the elements that expanding (or adding) the term id brought into the graph.
  var expanded = {};
  var addedBy = {};
  var history = [];
  expanded[first.center] = true;
  function markExpanded() {
    cy.nodes().forEach(function (n) { n.toggleClass("expanded", !!expanded[n.id()]); });
    container.setAttribute("data-expanded", Object.keys(expanded).filter(function (k) { return expanded[k]; }).length);
  }
  function changed() {
    markExpanded();
    applyFilters();
    undoButton.disabled = history.length === 0;
    undoButton.textContent = history.length ? "Undo " + history[history.length - 1].what : "Undo";
  }
  function fetchNeighbourhood(name) {
    return fetch(cfg.expand.replace("__LOCAL__", encodeURIComponent(name)), { headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); });
  }
  // Adds the neighbourhood of the term `id` (already drawn at `near`, or new); records it for undo.
  function addNeighbourhood(id, data, what) {
    var fresh = elementsOf(data).filter(function (el) { return cy.getElementById(el.data.id).empty(); });
    var anchor = cy.getElementById(id);
    var origin = anchor.nonempty() ? anchor.position() : { x: 0, y: 0 };
    var newNodes = fresh.filter(function (el) { return el.group === "nodes"; });
    newNodes.forEach(function (el, k) {
      el.data.center = 0;
      var angle = 2 * Math.PI * k / Math.max(newNodes.length, 1);
      el.position = el.data.id === id ? { x: origin.x, y: origin.y } :
        { x: origin.x + 140 * Math.cos(angle), y: origin.y + 140 * Math.sin(angle) };
    });
    var added = cy.add(fresh);
    expanded[id] = true;
    addedBy[id] = added;
    history.push({ kind: "expand", id: id, eles: added, what: what });
    data.nodes.forEach(function (n) { ensureBox("type", n.type, 0, n.type); });
    data.edges.forEach(function (e) { ensureBox("relation", e.relation_label, 1, null); });
    if (added.nodes().length) { layout(); }
    changed();
    return added;
  }
  function expand(node) {
    var name = local(node.id());
    if (!name || expanded[node.id()]) { return Promise.resolve(); }
    expanded[node.id()] = true;  // no second fetch while this one runs
    return fetchNeighbourhood(name)
      .then(function (data) {
        var added = addNeighbourhood(node.id(), data, "expand " + node.data("label"));
        say("Added " + plural(added.nodes().length, "term", "terms") + " and " +
            plural(added.edges().length, "relation", "relations") + " around " + node.data("label") + ".");
      })
      .catch(function (err) { expanded[node.id()] = false; say("Could not add the neighbours: " + err.message, true); });
  }
  // Everything an expansion brought in, with what the terms among it brought in in turn.
  function gather(id, acc, seen) {
    seen[id] = true;
    var eles = (addedBy[id] || cy.collection()).filter(function (el) { return el.inside(); });
    eles.nodes().forEach(function (n) { if (!seen[n.id()] && addedBy[n.id()]) { acc = gather(n.id(), acc, seen); } });
    return acc.union(eles);
  }
  function collapse(node) {
    var id = node.id();
    if (id === first.center) { say("The centre's neighbourhood is this page: open another term's graph instead.", true); return; }
    if (!expanded[id] || !addedBy[id]) { say(node.data("label") + " is not expanded.", true); return; }
    var seen = {};
    var gone = gather(id, cy.collection(), seen).filter(function (el) {
      return el.id() !== id && el.id() !== first.center;
    });
    var state = {};
    Object.keys(seen).forEach(function (k) { state[k] = { expanded: !!expanded[k], addedBy: addedBy[k] }; });
    var removed = cy.remove(gone);
    Object.keys(seen).forEach(function (k) {
      if (k === id || removed.getElementById(k).nonempty()) { expanded[k] = false; delete addedBy[k]; }
    });
    history.push({ kind: "collapse", id: id, eles: removed, state: state, what: "collapse " + node.data("label") });
    say("Removed " + plural(removed.nodes().length, "term", "terms") + " that " + node.data("label") + " had added.");
    changed();
  }
  function undo() {
    var step = history.pop();
    if (!step) { return; }
    if (step.kind === "expand") {
      cy.remove(step.eles.filter(function (el) { return el.inside(); }));
      expanded[step.id] = false;
      delete addedBy[step.id];
    } else {
      step.eles.restore();
      Object.keys(step.state).forEach(function (k) {
        expanded[k] = step.state[k].expanded;
        if (step.state[k].addedBy) { addedBy[k] = step.state[k].addedBy; }
      });
    }
    say("Undone: " + step.what + ".");
    info.hidden = true;
    changed();
  }
  undoButton.addEventListener("click", undo);

  // --- adding a term by any of its names -----------------------------------------------------------
  function fold(s) { return s.toLowerCase().replace(/\s+/g, " ").trim(); }
  function addTerm(textValue) {
    var q = textValue.trim();
    if (!q) { say("Type a term's name, a synonym or an acronym.", true); return Promise.resolve(); }
    return fetch(cfg.suggest + "?limit=5&q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); })
      .then(function (found) {
        var hits = found.results.filter(function (h) { return local(h.iri); });
        if (!hits.length) {
          say("Nothing in LBP-KG matches “" + q + "”. Try another spelling, a synonym or a broader word.", true);
          return null;
        }
        var hit = hits.filter(function (h) { return fold(h.label) === fold(q) || fold(h.matched) === fold(q); })[0] || hits[0];
        var how = fold(hit.label) === fold(q) ? "" : " (matched “" + hit.matched + "”)";
        var existing = cy.getElementById(hit.iri);
        if (existing.nonempty() && expanded[hit.iri]) {
          cy.elements().unselect(); existing.select(); showNode(existing);
          say(hit.label + how + " is already in the graph, with its neighbours.");
          return null;
        }
        return fetchNeighbourhood(local(hit.iri)).then(function (data) {
          var added = addNeighbourhood(hit.iri, data, "add " + hit.label);
          var node = cy.getElementById(hit.iri);
          cy.elements().unselect(); node.select(); showNode(node);
          say("Added " + hit.label + how + " with " + plural(added.nodes().length, "new term", "new terms") + ".");
          addInput.value = "";
        });
      })
      .catch(function (err) { say("Could not add the term: " + err.message, true); });
  }
  addForm.addEventListener("submit", function (evt) { evt.preventDefault(); addTerm(addInput.value); });

  // --- selection: details ------------------------------------------------------------------------
  function text(tag, content) { var el = document.createElement(tag); el.textContent = content; return el; }
  function link(href, content) { var a = text("a", content); a.href = href; return a; }
  function button(label, onClick) { var b = text("button", label); b.type = "button"; b.addEventListener("click", onClick); return b; }
  function openInfo() {
    var close = button("×", function () { info.hidden = true; cy.elements().unselect(); highlight(null); });
    close.className = "graph-info-close";
    close.setAttribute("aria-label", "Close the details");
    info.prepend(close);
    info.hidden = false;
    var r = info.getBoundingClientRect();
    if (r.top < 0 || r.bottom > window.innerHeight) { info.scrollIntoView({ block: "nearest" }); }
  }
  function highlight(node) {
    cy.edges().removeClass("hl");
    if (node) { node.connectedEdges().addClass("hl"); }
  }
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
      var actions = document.createElement("p");
      actions.className = "graph-actions";
      if (node.id() !== first.center) {
        if (expanded[node.id()]) {
          actions.appendChild(button("Collapse its neighbours", function () { collapse(node); showNode(node); }));
        } else {
          actions.appendChild(button("Add its neighbours", function () { expand(node).then(function () { showNode(node); }); }));
        }
      }
      if (actions.childNodes.length) { info.appendChild(actions); }
    }
    highlight(node);
    openInfo();
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
    highlight(null);
    edge.addClass("hl");
    openInfo();
  }
  cy.on("tap", "node", function (evt) {
    var node = evt.target;
    showNode(node);
    if (!expanded[node.id()]) { expand(node).then(function () { if (!info.hidden) { showNode(node); } }); }
  });
  cy.on("tap", "edge", function (evt) { showEdge(evt.target); });

  container.hidden = false;
  form.hidden = false;
  document.getElementById("graph-toolbar").hidden = false;
  document.getElementById("graph-howto").textContent =
    "Select a term to see its details and add its neighbours; collapse them again, or undo the last step.";
  cy.resize();
  layout();
  changed();
  container.setAttribute("data-ready", "true");
  window.lbpGraph = { cy: cy, expand: expand, collapse: collapse, undo: undo, addTerm: addTerm, separate: separate };
})();
