/* The SPARQL editor: YASGUI (from npm, served by the app) over this site's endpoint only.
   Autocompletion comes from the app's own vocabulary of classes and properties, never an outside
   service; the query library's examples open in tabs; a chart plugin draws numeric columns.
   Without JavaScript (or if YASGUI failed to load) the page keeps its plain form. */
(function () {
  "use strict";

  var cfgEl = document.getElementById("editor-config");
  var mount = document.getElementById("yasgui");
  if (!cfgEl || !mount || typeof window.Yasgui === "undefined") {
    return;
  }
  var cfg = JSON.parse(cfgEl.textContent);
  cfg.endpoint = new URL(cfg.endpoint, window.location.href).href;  // this site's own endpoint
  var Yasgui = window.Yasgui;
  var Yasqe = Yasgui.Yasqe;
  var Yasr = Yasgui.Yasr;

  // --- autocompletion from the KG itself ---------------------------------------------------
  var vocabPromise = null;
  function vocabulary() {
    if (!vocabPromise) {
      vocabPromise = fetch(cfg.vocabulary).then(function (r) {
        if (!r.ok) { throw new Error("vocabulary: HTTP " + r.status); }
        return r.json();
      });
    }
    return vocabPromise;
  }
  function iris(key) {
    return function () {
      return vocabulary().then(function (v) { return v[key].map(function (t) { return t.iri; }); });
    };
  }
  Yasqe.forkAutocompleter("class", { name: "lbp-class", bulk: true, get: iris("classes"), persistenceId: null }, false);
  Yasqe.forkAutocompleter("property", { name: "lbp-property", bulk: true, get: iris("properties"), persistenceId: null }, false);

  // --- a chart of numeric columns (Chart.js from npm) ---------------------------------------
  var NUMERIC = /#(integer|decimal|double|float|int|long|short|nonNegativeInteger|positiveInteger)$/;
  function numericVars(results) {
    var bindings = results.getBindings() || [];
    return results.getVariables().filter(function (v) {
      var seen = false;
      for (var i = 0; i < bindings.length; i++) {
        var b = bindings[i][v];
        if (!b) { continue; }
        if (b.type !== "literal" && b.type !== "typed-literal") { return false; }
        if (!b.datatype || !NUMERIC.test(b.datatype) || isNaN(Number(b.value))) { return false; }
        seen = true;
      }
      return seen;
    });
  }
  // The column that names each bar: one called label/name/title holding text, else the first text
  // column, else the first IRI column (shown by its label-like local name), else the row number.
  function labelCandidates(results, numeric) {
    var bindings = results.getBindings() || [];
    var vars = results.getVariables().filter(function (v) { return numeric.indexOf(v) < 0; });
    function kind(v) {
      for (var i = 0; i < bindings.length; i++) { if (bindings[i][v]) { return bindings[i][v].type; } }
      return null;
    }
    var texts = vars.filter(function (v) { var k = kind(v); return k === "literal" || k === "typed-literal"; });
    var iris = vars.filter(function (v) { return kind(v) === "uri"; });
    var named = texts.filter(function (v) { return /label|name|title/i.test(v); });
    return named.concat(texts.filter(function (v) { return named.indexOf(v) < 0; }), iris);
  }
  function shortName(b) {
    if (!b) { return ""; }
    return b.type === "uri" ? b.value.replace(/^.*[#\/]/, "") : b.value;
  }
  function ChartPlugin(yasr) {
    this.yasr = yasr;
    this.priority = 5;
    this.label = "Chart";
    this.chart = null;
    this.choice = { label: null, value: null };
  }
  ChartPlugin.prototype.canHandleResults = function () {
    var r = this.yasr.results;
    return !!(r && r.getVariables && r.getBindings && r.getBindings() && typeof window.Chart !== "undefined" &&
      numericVars(r).length > 0);
  };
  ChartPlugin.prototype.getIcon = function () {
    var icon = document.createElement("span");
    icon.textContent = "\u2587";
    icon.setAttribute("aria-hidden", "true");
    return icon;
  };
  function select(id, text, options, chosen) {
    var label = document.createElement("label");
    label.setAttribute("for", id);
    label.textContent = text + " ";
    var sel = document.createElement("select");
    sel.id = id;
    options.forEach(function (o) {
      var opt = document.createElement("option");
      opt.value = o[0];
      opt.textContent = o[1];
      if (o[0] === chosen) { opt.selected = true; }
      sel.appendChild(opt);
    });
    label.appendChild(sel);
    return label;
  }
  ChartPlugin.prototype.draw = function () {
    var self = this;
    var r = this.yasr.results;
    var numeric = numericVars(r);
    var labels = labelCandidates(r, numeric);
    var labelVar = labels.indexOf(this.choice.label) >= 0 ? this.choice.label : (labels[0] || "");
    var valueVar = numeric.indexOf(this.choice.value) >= 0 ? this.choice.value : numeric[0];
    var rows = r.getBindings().slice(0, 60);
    var wrap = document.createElement("figure");
    wrap.className = "yasr-chart";
    var controls = document.createElement("div");
    controls.className = "chart-controls";
    var uid = "chart-" + Math.random().toString(36).slice(2, 8);
    controls.appendChild(select(uid + "-label", "Bars named by", labels.map(function (v) { return [v, "?" + v]; })
      .concat([["", "row number"]]), labelVar));
    controls.appendChild(select(uid + "-value", "Bar height", numeric.map(function (v) { return [v, "?" + v]; }), valueVar));
    controls.addEventListener("change", function () {
      self.choice = { label: document.getElementById(uid + "-label").value, value: document.getElementById(uid + "-value").value };
      self.yasr.resultsEl.innerHTML = "";
      self.draw();
    });
    wrap.appendChild(controls);
    var box = document.createElement("div");
    box.className = "chart-box";
    var canvas = document.createElement("canvas");
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", "bar chart of " + valueVar + (labelVar ? " by " + labelVar : ""));
    box.appendChild(canvas);
    wrap.appendChild(box);
    var caption = document.createElement("figcaption");
    caption.textContent = valueVar + (labelVar ? " by " + labelVar : " by row") +
      (r.getBindings().length > rows.length ? " (first " + rows.length + " rows)" : "");
    wrap.appendChild(caption);
    this.yasr.resultsEl.appendChild(wrap);
    if (this.chart) { this.chart.destroy(); }
    this.chart = new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: rows.map(function (b, i) { return labelVar && b[labelVar] ? shortName(b[labelVar]) : String(i + 1); }),
        datasets: [{ label: valueVar, data: rows.map(function (b) { return b[valueVar] ? Number(b[valueVar].value) : null; }) }]
      },
      options: { animation: false, responsive: true, maintainAspectRatio: false }
    });
    wrap.setAttribute("data-label-var", labelVar);
    wrap.setAttribute("data-value-var", valueVar);
  };
  ChartPlugin.prototype.destroy = function () {
    if (this.chart) { this.chart.destroy(); this.chart = null; }
  };
  Yasr.registerPlugin("chart", ChartPlugin);

  // --- the results table: literals as values, LBP-KG IRIs as links to this site's pages -------
  var XSD = (cfg.prefixMap && cfg.prefixMap.xsd) || "";  // from the server: this file names no address
  function esc(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function localPage(iri) {
    if (iri.indexOf(cfg.lbpNs) !== 0) { return null; }
    var local = iri.slice(cfg.lbpNs.length);
    return /^[A-Za-z0-9_.-]+$/.test(local) ? cfg.termBase + encodeURIComponent(local) : null;
  }
  function cell(b, prefixes) {
    if (b.type === "uri") {
      var shown = b.value;
      for (var p in prefixes) {
        if (prefixes[p] && b.value.indexOf(prefixes[p]) === 0) { shown = p + ":" + b.value.slice(prefixes[p].length); break; }
      }
      var local = localPage(b.value);
      if (local) {
        return "<a class='iri' href='" + esc(local) + "' title='" + esc(b.value) + "'>" + esc(shown) + "</a>";
      }
      var safe = /^https?:\/\//i.test(b.value);
      return safe ? "<a class='iri' href='" + esc(b.value) + "' rel='noopener noreferrer'>" + esc(shown) + "</a>"
                  : "<span class='iri'>" + esc(shown) + "</span>";
    }
    if (b.type === "bnode") { return "<span class='bnode'>_:" + esc(b.value) + "</span>"; }
    var hint = "";
    if (b["xml:lang"]) {
      hint = "@" + b["xml:lang"];
    } else if (b.datatype && !(XSD && b.datatype === XSD + "string")) {
      hint = XSD && b.datatype.indexOf(XSD) === 0 ? b.datatype.slice(XSD.length) : b.datatype.replace(/^.*[#\/]/, "");
    }
    return "<span class='literal'>" + esc(b.value) + "</span>" +
      (hint ? " <span class='lit-hint' title='" + esc(b.datatype || "language " + b["xml:lang"]) + "'>" + esc(hint) + "</span>" : "");
  }
  var Table = Yasr.plugins && Yasr.plugins.table;
  if (Table && Table.prototype) {
    Table.prototype.getCellContent = function (b, prefixes) { return "<div>" + cell(b, prefixes || {}) + "</div>"; };
    Table.prototype.getSizeFirstColumn = function () {
      var n = (this.yasr.results && this.yasr.results.getBindings() || []).length;
      return String(n).length * 10 + 20;
    };
  }

  // --- the editor ----------------------------------------------------------------------------
  var params = new URLSearchParams(window.location.search);
  var hashHasQuery = /[#&]query=/.test(window.location.hash); // YASGUI clears the hash once read
  function fromUrl(tabConfig) {
    // A shared link may name another endpoint; the editor only ever talks to this site's.
    tabConfig.requestConfig = Object.assign({}, tabConfig.requestConfig, { endpoint: cfg.endpoint });
    if (!hashHasQuery && params.has("query")) {
      // ?query= was read by the server (YASGUI's own parser splits values at ';').
      tabConfig.yasqe = Object.assign({}, tabConfig.yasqe, { value: cfg.query });
    }
    return tabConfig;
  }
  // Shown before YASGUI starts: CodeMirror measures its box when it is created.
  document.getElementById("plain-editor").hidden = true;
  mount.hidden = false;
  var yasgui = new Yasgui(mount, {
    persistenceId: null,
    autofocus: false,
    copyEndpointOnNewTab: true,
    populateFromUrl: fromUrl,
    endpointCatalogueOptions: {
      getData: function () { return [{ endpoint: cfg.endpoint }]; },
      keys: [],
      renderItem: function (data, source) { source.textContent = data.value.endpoint; }
    },
    requestConfig: { endpoint: cfg.endpoint, method: "POST" },
    yasqe: {
      prefixCcApi: cfg.prefixes,
      autocompleters: ["prefixes", "variables", "lbp-class", "lbp-property"],
      editorHeight: "340px",
      screenReaderLabel: "SPARQL query"
    },
    yasr: { prefixes: cfg.prefixMap || {}, defaultPlugin: "table", pluginOrder: ["table", "chart", "response"] }
  });

  var tab = yasgui.getTab();
  if (tab && !params.has("query") && !hashHasQuery) {
    tab.setQuery(cfg.query);
    tab.setName(cfg.title);
  }

  // YASGUI's markup leaves some controls unlabelled and puts its "add tab" button inside the tab
  // list (not a tab): label the controls, and replace that button by one of ours beside the editor
  // (editor.css hides YASGUI's), so the page passes the accessibility check.
  function accessible() {
    mount.querySelectorAll("input.autocomplete:not([aria-label])").forEach(function (input) {
      input.setAttribute("aria-label", "SPARQL endpoint");
    });
    mount.querySelectorAll(".CodeMirror textarea:not([aria-label])").forEach(function (area) {
      area.setAttribute("aria-label", "SPARQL query");
    });
    mount.querySelectorAll(".CodeMirror-scroll:not([tabindex='0'])").forEach(function (scroll) {
      scroll.setAttribute("tabindex", "0"); // a scrolling box keyboard users can reach
      scroll.setAttribute("aria-label", "query text");
    });
    mount.querySelectorAll("select.tableSizer:not([aria-label])").forEach(function (select) {
      select.setAttribute("aria-label", "Rows per page");
    });
  }
  accessible();
  var newTab = document.createElement("button");
  newTab.type = "button";
  newTab.className = "editor-new-tab";
  newTab.textContent = "New query tab";
  newTab.addEventListener("click", function () { yasgui.addTab(true); });
  mount.parentNode.insertBefore(newTab, mount);
  ["tabAdd", "tabSelect", "tabChange", "queryResponse"].forEach(function (name) {
    yasgui.on(name, function () { window.setTimeout(accessible, 0); });
  });

  // --- while a query runs: the time it has taken, and a button that cancels it (aborts the fetch)
  var runStatus = document.createElement("div");
  runStatus.className = "query-status";
  var runText = document.createElement("span");
  runText.id = "query-elapsed";
  runText.setAttribute("role", "status");
  var cancel = document.createElement("button");
  cancel.type = "button";
  cancel.id = "query-cancel";
  cancel.textContent = "Cancel query";
  cancel.hidden = true;
  runStatus.appendChild(runText);
  runStatus.appendChild(cancel);
  mount.parentNode.insertBefore(runStatus, mount.nextSibling);
  var running = null;  // {tab, started, timer}
  function seconds(ms) { return (ms / 1000).toFixed(ms < 1000 ? 2 : 1) + " s"; }
  function stop(message) {
    if (!running) { return; }
    window.clearInterval(running.timer);
    runText.textContent = message.replace("{t}", seconds(Date.now() - running.started));
    cancel.hidden = true;
    runStatus.setAttribute("data-state", message.indexOf("Cancelled") === 0 ? "cancelled" : "done");
    running = null;
  }
  yasgui.on("query", function (_y, tab) {
    if (running) { window.clearInterval(running.timer); }
    running = { tab: tab, started: Date.now(), timer: 0 };
    runText.textContent = "Running\u2026 0.0 s";
    runStatus.setAttribute("data-state", "running");
    cancel.hidden = false;
    running.timer = window.setInterval(function () {
      if (running) { runText.textContent = "Running\u2026 " + seconds(Date.now() - running.started); }
    }, 100);
  });
  yasgui.on("queryResponse", function () { stop("Response after {t}"); });
  yasgui.on("queryAbort", function () { stop("Cancelled after {t}"); });
  cancel.addEventListener("click", function () {
    if (running && running.tab) { running.tab.getYasqe().abortQuery(); }
  });

  document.body.classList.add("editor-enhanced");

  // Examples open in a tab of their own; the address changes so it can be shared.
  var byName = {};
  cfg.examples.forEach(function (ex) { byName[ex.name] = ex; });
  document.querySelectorAll("#examples a[data-example]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      var ex = byName[link.getAttribute("data-example")];
      if (!ex || event.ctrlKey || event.metaKey || event.shiftKey) { return; }
      event.preventDefault();
      var t = yasgui.addTab(true, Object.assign(Yasgui.Tab.getDefaults(yasgui), { name: ex.title }));
      t.setQuery(ex.query);
      document.querySelectorAll("#examples a[aria-current]").forEach(function (a) { a.removeAttribute("aria-current"); });
      link.setAttribute("aria-current", "true");
      window.history.replaceState(null, "", link.getAttribute("href"));
    });
  });
  window.lbpEditor = yasgui; // for the browser tests and the curious
})();
