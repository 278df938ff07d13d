// Autocomplete for every input with data-suggest: an ARIA combobox listing /search/suggest results.
// Without JavaScript the forms submit to the search page, which works on its own.
(function () {
  "use strict";
  document.querySelectorAll("input[data-suggest]").forEach(function (input, n) {
    var url = input.getAttribute("data-suggest");
    var list = document.createElement("ul");
    list.className = "suggest";
    list.id = "suggest-" + n;
    list.setAttribute("role", "listbox");
    list.hidden = true;
    input.parentNode.style.position = "relative";
    input.parentNode.appendChild(list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("aria-expanded", "false");
    var results = [], active = -1, timer = null, inForm = input.form && input.form.getAttribute("role") === "search";

    function close() { list.hidden = true; input.setAttribute("aria-expanded", "false"); active = -1; input.removeAttribute("aria-activedescendant"); }
    function choose(i) {
      var hit = results[i];
      if (!hit) return;
      if (inForm) { window.location.href = hit.url; } else { input.value = hit.label; close(); }
    }
    function render() {
      list.innerHTML = "";
      results.forEach(function (hit, i) {
        var li = document.createElement("li");
        li.id = list.id + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", i === active ? "true" : "false");
        li.textContent = hit.label;
        if (hit.matched !== hit.label) {
          var span = document.createElement("span");
          span.className = "muted";
          span.textContent = " (" + hit.matched + ")";
          li.appendChild(span);
        }
        if (hit.area) {
          var type = document.createElement("span");
          type.className = "muted";
          type.textContent = " · " + hit.area;
          li.appendChild(type);
        }
        li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(i); });
        list.appendChild(li);
      });
      list.hidden = results.length === 0;
      input.setAttribute("aria-expanded", results.length ? "true" : "false");
      if (active >= 0) input.setAttribute("aria-activedescendant", list.id + "-" + active);
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var q = input.value.trim();
      if (!q) { results = []; render(); return; }
      timer = setTimeout(function () {
        fetch(url + "?limit=8&q=" + encodeURIComponent(q)).then(function (r) { return r.json(); })
          .then(function (data) { if (input.value.trim() === q) { results = data.results; active = -1; render(); } })
          .catch(function () { results = []; render(); });
      }, 150);
    });
    input.addEventListener("keydown", function (e) {
      if (list.hidden) return;
      if (e.key === "ArrowDown") { active = Math.min(active + 1, results.length - 1); render(); e.preventDefault(); }
      else if (e.key === "ArrowUp") { active = Math.max(active - 1, 0); render(); e.preventDefault(); }
      else if (e.key === "Enter" && active >= 0) { choose(active); e.preventDefault(); }
      else if (e.key === "Escape") { close(); }
    });
    input.addEventListener("blur", function () { setTimeout(close, 100); });
  });
})();
