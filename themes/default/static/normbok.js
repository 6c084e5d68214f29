/* normbok default theme: progressive enhancement only; every page works without it.
   The requirement filter keeps its state in the URL fragment (#g=a,b&o=skal&s=in-force) so a
   filtered list can be shared and works from file://. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // The version's navigation, written once per version in <v>/toc.js (window.normbokToc)
  // and drawn here with DOM calls; the link to the contents page stays for everyone.
  var tocBox = document.getElementById("nb-toc");
  var vroot = document.body.getAttribute("data-vroot");
  if (tocBox && window.normbokToc && vroot !== null) {
    var here = location.href.split("#")[0];
    window.normbokToc.forEach(function (sec) {
      if (!sec.i.length) return;
      var h = document.createElement("h2");
      h.className = "sidebar-heading";
      h.textContent = sec.h;
      var ul = document.createElement("ul");
      ul.className = sec.c;
      sec.i.forEach(function (it) {
        var li = document.createElement("li");
        li.className = "depth-" + it.d;
        var a = document.createElement("a");
        a.href = vroot + it.u;
        a.textContent = it.t;
        if (a.href.split("#")[0] === here) a.setAttribute("aria-current", "page");
        li.appendChild(a);
        ul.appendChild(li);
      });
      tocBox.appendChild(h);
      tocBox.appendChild(ul);
    });
  }

  // On narrow screens the navigation sits behind a menu button (a disclosure: the button
  // says whether it is open; Escape closes it and gives focus back to the button).
  var menuBtn = document.getElementById("nb-menu-button");
  if (menuBtn) {
    menuBtn.hidden = false;
    var setMenu = function (open) {
      menuBtn.setAttribute("aria-expanded", open ? "true" : "false");
      document.body.classList.toggle("nav-open", open);
    };
    menuBtn.addEventListener("click", function () { setMenu(menuBtn.getAttribute("aria-expanded") !== "true"); });
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && menuBtn.getAttribute("aria-expanded") === "true") {
        setMenu(false);
        menuBtn.focus();
      }
    });
  }

  var form = document.getElementById("nb-filter");
  var list = document.getElementById("nb-req-list");
  if (!form || !list) return;
  form.hidden = false;
  var cards = Array.prototype.slice.call(list.querySelectorAll(".req"));
  var status = document.getElementById("nb-filter-status");
  var lang = document.body.getAttribute("data-lang") || "nb";
  var words = { nb: ["Viser", "av", "krav"], nn: ["Viser", "av", "krav"], en: ["Showing", "of", "requirements"] }[lang] || ["Showing", "of", "requirements"];

  // The label a reader sees for a filter option (the text after its checkbox).
  function labelOf(name, value) {
    var i = form.querySelector("input[name=" + name + "][value='" + value.replace(/'/g, "") + "']");
    var t = i && i.nextSibling;
    return t && t.nodeType === 3 ? t.textContent.trim() : value;
  }
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
    if (pf) pf.textContent = ["g", "o", "s"].map(function (k) {
      return st[k].map(function (v) { return labelOf(k, v); }).join(", ");
    }).filter(Boolean).join(" · ");
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
  function save(blob, name) {
    var a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = name;
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 0);
  }
  function selectedLines() {
    return cards.filter(function (c) { return !c.hidden; }).map(function (c) { return c.getAttribute("data-csv") || ""; });
  }
  var xlsxBtn = document.getElementById("nb-filter-xlsx");
  if (xlsxBtn) xlsxBtn.addEventListener("click", function () {
    // The same sheet as export/requirements.xlsx, limited to the selection (xlsx.js).
    if (!window.normbokXlsx) return;
    var meta = JSON.parse(list.getAttribute("data-xlsx") || "{}");
    save(window.normbokXlsx.pickList(meta, selectedLines(), location.href), list.getAttribute("data-xlsx-name") || "krav-utvalg.xlsx");
  });
  var csvBtn = document.getElementById("nb-filter-csv");
  if (csvBtn) csvBtn.addEventListener("click", function () {
    // The builder embeds each requirement's line of the static CSV export, so the selection
    // is byte for byte the export filtered (same columns, quoting and plain-text statement).
    var lines = [list.getAttribute("data-csv-header") || ""].concat(selectedLines());
    var text = "\ufeff" + lines.join("\r\n") + "\r\n";
    save(new Blob([text], { type: "text/csv;charset=utf-8" }), list.getAttribute("data-csv-name") || "krav-utvalg.csv");
  });
  apply(parseHash(), false);
})();
