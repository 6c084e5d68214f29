/* normbok default theme: progressive enhancement only; every page works without it.
   The requirement filter keeps its state in the URL fragment (#g=a,b&o=skal&s=in-force) so a
   filtered list can be shared and works from file://. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var form = document.getElementById("nb-filter");
  var list = document.getElementById("nb-req-list");
  if (!form || !list) return;
  form.hidden = false;
  var cards = Array.prototype.slice.call(list.querySelectorAll(".req"));
  var status = document.getElementById("nb-filter-status");
  var lang = document.body.getAttribute("data-lang") || "nb";
  var words = { nb: ["Viser", "av", "krav"], nn: ["Viser", "av", "krav"], en: ["Showing", "of", "requirements"] }[lang] || ["Showing", "of", "requirements"];

  function checked(name) {
    return Array.prototype.slice.call(form.querySelectorAll("input[name=" + name + "]:checked")).map(function (i) { return i.value; });
  }
  function parseHash() {
    var st = { g: [], o: [], s: [] };
    location.hash.replace(/^#/, "").split("&").forEach(function (kv) {
      var p = kv.split("=");
      if (p.length === 2 && st.hasOwnProperty(p[0])) st[p[0]] = decodeURIComponent(p[1]).split(",").filter(Boolean);
    });
    return st;
  }
  function matches(card, st) {
    var groups = (card.getAttribute("data-groups") || "").split(" ");
    if (st.g.length && !st.g.some(function (g) { return groups.indexOf(g) >= 0; })) return false;
    if (st.o.length && st.o.indexOf(card.getAttribute("data-obligation")) < 0) return false;
    if (st.s.length && st.s.indexOf(card.getAttribute("data-status")) < 0) return false;
    return true;
  }
  function apply(st, writeHash) {
    Array.prototype.forEach.call(form.querySelectorAll("input[type=checkbox]"), function (i) {
      i.checked = (st[i.name] || []).indexOf(i.value) >= 0;
    });
    var shown = 0;
    cards.forEach(function (c) { var ok = matches(c, st); c.hidden = !ok; if (ok) shown++; });
    Array.prototype.forEach.call(list.querySelectorAll(".chapter-block"), function (b) {
      b.hidden = !b.querySelector(".req:not([hidden])");
    });
    // Live counts: how many requirements each option would show together with the other facets.
    Array.prototype.forEach.call(form.querySelectorAll("[data-count-for]"), function (el) {
      var kv = el.getAttribute("data-count-for").split(":");
      var trial = { g: st.g, o: st.o, s: st.s };
      trial[kv[0]] = [kv[1]];
      el.textContent = "(" + cards.filter(function (c) { return matches(c, trial); }).length + ")";
    });
    if (status) status.textContent = words[0] + " " + shown + " " + words[1] + " " + cards.length + " " + words[2];
    var pf = document.getElementById("nb-print-filter");
    if (pf) pf.textContent = [st.g.join(", "), st.o.join(", "), st.s.join(", ")].filter(Boolean).join(" · ");
    if (writeHash) {
      var parts = [];
      ["g", "o", "s"].forEach(function (k) { if (st[k].length) parts.push(k + "=" + encodeURIComponent(st[k].join(","))); });
      var h = parts.length ? "#" + parts.join("&") : "";
      if (history.replaceState) history.replaceState(null, "", h || location.pathname + location.search);
      else location.hash = h;
    }
  }
  function current() { return { g: checked("g"), o: checked("o"), s: checked("s") }; }
  form.addEventListener("change", function () { apply(current(), true); });
  window.addEventListener("hashchange", function () { apply(parseHash(), false); });
  var clear = document.getElementById("nb-filter-clear");
  if (clear) clear.addEventListener("click", function () { apply({ g: [], o: [], s: [] }, true); });
  var pr = document.getElementById("nb-filter-print");
  if (pr) pr.addEventListener("click", function () { window.print(); });
  var csvBtn = document.getElementById("nb-filter-csv");
  if (csvBtn) csvBtn.addEventListener("click", function () {
    // The builder embeds each requirement's line of the static CSV export, so the selection
    // is byte for byte the export filtered (same columns, quoting and plain-text statement).
    var lines = [list.getAttribute("data-csv-header") || ""].concat(
      cards.filter(function (c) { return !c.hidden; }).map(function (c) { return c.getAttribute("data-csv") || ""; }));
    var text = "\ufeff" + lines.join("\r\n") + "\r\n";
    var blob = new Blob([text], { type: "text/csv;charset=utf-8" });
    var a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = list.getAttribute("data-csv-name") || "krav-utvalg.csv";
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 0);
  });
  apply(parseHash(), false);
})();
