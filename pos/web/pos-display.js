// Customer display (/pos/display): the lane's basket, total, saving and change, live from
// GET /api/v1/display/events. Paired by the lane's session cookie (a second window on the lane PC)
// or, on a tablet, by a code from the till (storeagent_display cookie); no controls once paired.
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  var T = window.POS_T;
  var locale = document.body.getAttribute("data-locale") || "en";
  var fmt = new Intl.NumberFormat(locale, {style: "currency", currency: document.body.getAttribute("data-currency") || "EUR"});
  var kg = new Intl.NumberFormat(locale, {minimumFractionDigits: 3, maximumFractionDigits: 3});
  var unit = Math.pow(10, fmt.resolvedOptions().maximumFractionDigits);
  function money(m) { return fmt.format(m / unit); }
  var seq = -1;
  function show(s) {
    if (s.seq < seq) { return; } // an older state than the one shown
    seq = s.seq;
    $("screen").setAttribute("data-state", s.state);
    $("paid").hidden = s.state !== "paid";
    var tb = document.querySelector("#lines tbody"); tb.textContent = "";
    (s.lines || []).forEach(function (l) {
      var tr = document.createElement("tr"), a = document.createElement("td"), b = document.createElement("td");
      a.textContent = l.name;
      var sub = document.createElement("span"); sub.className = "w";
      sub.textContent = l.weight_g ? kg.format(l.weight_g / 1000) + " kg × " + money(l.unit_price_minor) + "/kg"
        : l.qty > 1 ? l.qty + " × " + money(l.unit_price_minor) : "";
      if (sub.textContent) { a.appendChild(sub); }
      (l.discounts || []).forEach(function (d) {
        var x = document.createElement("span"); x.className = "d";
        x.textContent = d.name + " −" + money(d.amount_minor);
        a.appendChild(x);
      });
      b.className = "n"; b.textContent = money(l.amount_minor);
      tr.appendChild(a); tr.appendChild(b); tb.appendChild(tr);
    });
    var last = tb.lastChild; if (last && last.scrollIntoView) { last.scrollIntoView({block: "end"}); }
    $("total").textContent = money(s.total_minor || 0);
    $("saving-row").hidden = !s.saving_minor;
    $("saving").textContent = s.saving_minor ? "−" + money(s.saving_minor) : "";
    $("paid-total").textContent = money(s.total_minor || 0);
    $("change").textContent = money(s.change_minor || 0);
  }
  // pairForm asks an unpaired tablet for the code the till shows (Customer display); it is
  // removed once paired, so a paired display has no control at all.
  function pairForm() {
    if ($("pair-form")) { return; }
    var f = document.createElement("form"), l = document.createElement("label"), i = document.createElement("input"),
      b = document.createElement("button"), m = document.createElement("p");
    f.id = "pair-form"; f.setAttribute("autocomplete", "off");
    l.htmlFor = "pair-code"; l.textContent = T("pair_enter");
    i.id = "pair-code"; i.inputMode = "numeric"; i.maxLength = 6; i.pattern = "[0-9]{6}"; i.required = true;
    b.type = "submit"; b.textContent = T("pair_go");
    m.id = "pair-msg"; m.setAttribute("role", "status");
    f.appendChild(l); f.appendChild(i); f.appendChild(b); f.appendChild(m);
    f.addEventListener("submit", function (ev) {
      ev.preventDefault();
      fetch("/pos/display/pair", {method: "POST", credentials: "same-origin", headers: {"Content-Type": "application/json"},
        body: JSON.stringify({code: i.value.replace(/\s/g, "")})}).then(function (r) {
        if (r.ok) { f.parentNode.removeChild(f); start(); return; }
        m.textContent = T(r.status === 429 ? "pair_slow" : "pair_bad"); i.value = ""; i.focus();
      }).catch(function () { m.textContent = T("pair_bad"); });
    });
    $("screen").appendChild(f);
    i.focus();
  }
  var waiting = null;
  function start() {
    clearTimeout(waiting);
    fetch("/api/v1/display", {credentials: "same-origin"}).then(function (r) {
      if (r.status === 401) {
        $("link").hidden = false; pairForm();
        show({state: "idle", seq: seq, lines: [], total_minor: 0}); // an unpaired display shows no basket
        waiting = setTimeout(start, 3000); return null;
      }
      return r.json();
    }).then(function (s) {
      if (!s) { return; }
      var f = $("pair-form"); if (f) { f.parentNode.removeChild(f); }
      $("link").hidden = true;
      show(s);
      var es = new EventSource("/api/v1/display/events");
      // Once the stream is open nothing is missed: read the state again (seq orders the two).
      es.onopen = function () {
        fetch("/api/v1/display", {credentials: "same-origin"}).then(function (r) { return r.ok ? r.json() : null; })
          .then(function (s2) { if (s2) { show(s2); } window.POS_DISPLAY_OPEN = true; }).catch(function () {});
      };
      es.addEventListener("display", function (ev) { try { show(JSON.parse(ev.data)); } catch (e) { /* a bad event is skipped */ } });
      // A closed stream (the agent restarted, or the till unpaired this display) starts over.
      es.onerror = function () { if (es.readyState === 2) { waiting = setTimeout(start, 3000); } };
    }).catch(function () { setTimeout(start, 3000); });
  }
  start();
}());
