// Quick keys and product search (issue 13): the store's top products (pos.quick_keys) as big
// tiles, and a search by name whose results replace them; a tap sells the item as a scan would.
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  var P = window.POS, T = window.POS_T;
  if (!P || !$("tiles")) { return; }
  var quick = [], timer = 0, seq = 0;
  function tiles(list, empty) {
    var box = $("tiles"); box.textContent = "";
    if (!list.length && empty) {
      var p = document.createElement("p"); p.className = "none"; p.textContent = empty; box.appendChild(p); return;
    }
    list.forEach(function (pr) {
      var b = document.createElement("button");
      b.type = "button"; b.className = "tile"; b.setAttribute("data-sku", pr.sku);
      var n = document.createElement("span"); n.className = "tn"; n.textContent = pr.name;
      var m = document.createElement("span"); m.className = "tp";
      m.textContent = P.money(pr.price_minor) + (pr.unit === "kg" && pr.net_content == null ? "/kg" : "");
      b.appendChild(n); b.appendChild(m);
      b.addEventListener("mousedown", function (ev) { ev.preventDefault(); });
      b.addEventListener("click", function () {
        P.add(pr.sku);
        if ($("search").value) { $("search").value = ""; tiles(quick); }
        $("code").focus();
      });
      box.appendChild(b);
    });
  }
  function loadQuick() {
    P.api("GET", "/api/v1/pos/quick-keys").then(function (res) {
      if (res.ok) { quick = res.body.products; if (!$("search").value) { tiles(quick); } }
    });
  }
  function search() {
    var q = $("search").value.trim(), my = ++seq;
    if (!q) { tiles(quick); return; }
    P.api("GET", "/api/v1/products?q=" + encodeURIComponent(q.slice(0, 64))).then(function (res) {
      if (my !== seq) { return; } // a newer search is on its way
      if (!res.ok) { P.say(P.errText(res)); return; }
      tiles(res.body.products, T("no_match", {q: q}));
    });
  }
  $("search").addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(search, 150); });
  $("search-form").addEventListener("submit", function (ev) {
    ev.preventDefault(); clearTimeout(timer); search();
  });
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "F3" && !$("till").hidden) { ev.preventDefault(); $("search").focus(); $("search").select(); }
  });
  // The tiles load once the cashier is in (the API needs the session cookie).
  var seen = false;
  new MutationObserver(function () {
    if (!$("till").hidden && !seen) { seen = true; loadQuick(); }
  }).observe($("till"), {attributes: true, attributeFilter: ["hidden"]});
  if (!$("till").hidden) { seen = true; loadQuick(); }
}());
