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
  function ChartPlugin(yasr) {
    this.yasr = yasr;
    this.priority = 5;
    this.label = "Chart";
    this.chart = null;
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
  ChartPlugin.prototype.draw = function () {
    var r = this.yasr.results;
    var values = numericVars(r);
    var labelVar = r.getVariables().filter(function (v) { return values.indexOf(v) < 0; })[0];
    var rows = r.getBindings().slice(0, 60);
    var wrap = document.createElement("figure");
    wrap.className = "yasr-chart";
    var canvas = document.createElement("canvas");
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", "bar chart of " + values.join(", ") + (labelVar ? " by " + labelVar : ""));
    wrap.appendChild(canvas);
    var caption = document.createElement("figcaption");
    caption.textContent = values.join(", ") + (labelVar ? " by " + labelVar : "") +
      (r.getBindings().length > rows.length ? " (first " + rows.length + " rows)" : "");
    wrap.appendChild(caption);
    this.yasr.resultsEl.appendChild(wrap);
    if (this.chart) { this.chart.destroy(); }
    this.chart = new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: rows.map(function (b, i) {
          var l = labelVar && b[labelVar];
          return l ? l.value.replace(/^.*[#\/]/, "") : String(i + 1);
        }),
        datasets: values.map(function (v) {
          return { label: v, data: rows.map(function (b) { return b[v] ? Number(b[v].value) : null; }) };
        })
      },
      options: { animation: false, responsive: true, maintainAspectRatio: false }
    });
  };
  ChartPlugin.prototype.destroy = function () {
    if (this.chart) { this.chart.destroy(); this.chart = null; }
  };
  Yasr.registerPlugin("chart", ChartPlugin);

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
    yasr: { prefixes: {}, defaultPlugin: "table", pluginOrder: ["table", "chart", "response"] }
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
