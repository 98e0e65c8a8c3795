// Till session screens of the web POS: open with a counted float, cash in and out with a
// reason, the X report, the close with expected against counted and the difference live
// (a reason above the store's limit), and the Z result with its print button and preview.
(function () {
  "use strict";
  var P = window.POS, T = P.T, $ = function (id) { return document.getElementById(id); };
  var denoms = (document.body.getAttribute("data-denoms") || "").split(",").map(Number).filter(function (d) { return d > 0; });
  var maxDiff = Number(document.body.getAttribute("data-maxdiff")) || 0;
  var st = {report: null, openId: "", closeId: "", z: null};

  // say shows a message; ok marks a confirmation (green), not a problem (red).
  function say(t, ok) { var m = $("till-msg"); m.textContent = t || ""; m.className = ok ? "msg ok" : "msg"; }
  // grid fills box with one count field per note and coin; onChange gets the counted total.
  function grid(box, prefix, onChange) {
    box.textContent = "";
    denoms.forEach(function (d) {
      var id = prefix + "-" + d;
      var w = document.createElement("div"); w.className = "cell";
      var lab = document.createElement("label"); lab.htmlFor = id; lab.textContent = P.money(d) + " ×";
      var inp = document.createElement("input");
      inp.id = id; inp.type = "number"; inp.min = "0"; inp.step = "1"; inp.inputMode = "numeric"; inp.setAttribute("data-v", String(d));
      inp.addEventListener("input", function () { onChange(counted(box).sum); });
      w.appendChild(lab); w.appendChild(inp); box.appendChild(w);
    });
  }
  function counted(box) {
    var list = [], sum = 0;
    Array.prototype.forEach.call(box.querySelectorAll("input[data-v]"), function (inp) {
      var n = parseInt(inp.value, 10);
      if (n > 0) { var v = Number(inp.getAttribute("data-v")); list.push({value_minor: v, count: n}); sum += v * n; }
    });
    return {list: list, sum: sum};
  }
  function cashTender(r) {
    return ((r && r.tenders) || []).filter(function (t) { return t.method === "cash"; })[0] || {expected_minor: r ? r.float_minor : 0};
  }
  function indicator() {
    var r = st.report, b = $("session");
    var state = !r ? "closed" : (r.implicit ? "implicit" : "open");
    b.setAttribute("data-state", state);
    $("session-state").textContent = T("st_" + state);
  }
  function refresh() {
    return P.api("GET", "/api/v1/till").then(function (res) {
      st.report = res.ok ? res.body : null;
      indicator(); view();
    });
  }
  function view() {
    var r = st.report;
    $("open-form").hidden = !!r || !!st.z;
    $("open-view").hidden = !r;
    $("z-view").hidden = !st.z || !!r;
    if (!r) { return; }
    var tb = document.querySelector("#x-view tbody"); tb.textContent = "";
    (r.tenders || []).forEach(function (t) {
      var tr = document.createElement("tr");
      [T("m_" + t.method) === "m_" + t.method ? t.method : T("m_" + t.method), P.money(t.sales_minor), P.money(t.refunds_minor), P.money(t.pay_in_minor - t.pay_out_minor - t.drops_minor), P.money(t.expected_minor)]
        .forEach(function (s, j) { var td = document.createElement("td"); td.textContent = s; if (j) { td.className = "n"; } tr.appendChild(td); });
      tb.appendChild(tr);
    });
    $("x-sum").textContent = T("x_sum", {n: r.sales.count, gross: P.money(r.sales.gross_minor), r: r.refunds.count, rg: P.money(r.refunds.gross_minor)});
    closeDiff(counted($("close-grid")).sum);
  }
  function closeDiff(sum) {
    var exp = cashTender(st.report).expected_minor, d = sum - exp;
    $("close-expected").textContent = P.money(exp);
    $("close-counted").textContent = P.money(sum);
    $("close-diff").textContent = (d > 0 ? "+" : "") + P.money(d);
    $("close-diff").className = d < 0 ? "short" : (d > 0 ? "over" : "");
    var need = Math.abs(d) > maxDiff;
    $("close-reason").setAttribute("aria-required", need ? "true" : "false");
    $("close-reason").setAttribute("aria-invalid", need && !$("close-reason").value.trim() ? "true" : "false");
  }
  function show() {
    $("tillp").hidden = false; say("");
    refresh().then(function () {
      var f = st.report ? $("mov-amount") : document.querySelector("#open-grid input");
      if (f) { f.focus(); }
    });
  }
  function hide() { $("tillp").hidden = true; $("code").focus(); }

  grid($("open-grid"), "open", function (sum) { $("open-sum").value = ""; $("open-total").textContent = P.money(sum); });
  grid($("close-grid"), "close", closeDiff);
  $("open-sum").addEventListener("input", function () {
    var v = P.parseMoney($("open-sum").value);
    $("open-total").textContent = P.money(isNaN(v) ? 0 : v);
  });
  $("open-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    st.openId = st.openId || P.uuid4();
    var body = {session_id: st.openId, cashier: P.st.cashier}, c = counted($("open-grid"));
    var typed = P.parseMoney($("open-sum").value);
    if ($("open-sum").value.trim() && !isNaN(typed)) { body.float_minor = typed; } else { body.float = c.list; }
    P.api("POST", "/api/v1/till/open", body).then(function (res) {
      if (!res.ok) { say(P.errText(res)); return; }
      st.openId = ""; st.z = null; st.report = res.body; indicator(); view(); say(""); $("mov-amount").focus();
    });
  });
  $("mov-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var amt = P.parseMoney($("mov-amount").value), reason = $("mov-reason").value.trim(), kind = $("mov-kind").value;
    if (!(amt > 0)) { say(T("need_amount")); return; }
    if (!reason) { say(T("need_reason")); $("mov-reason").focus(); return; }
    P.api("POST", "/api/v1/till/movements", {movement_id: P.uuid4(), cashier: P.st.cashier, kind: kind, amount_minor: amt, reason: reason}).then(function (res) {
      if (!res.ok) { say(P.errText(res)); return; }
      say(T("mov_done", {kind: T(kind), amount: P.money(amt)}), true);
      $("mov-amount").value = ""; $("mov-reason").value = "";
      refresh();
    });
  });
  $("close-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    if (!st.report) { return; }
    st.closeId = st.report.session_id;
    var c = counted($("close-grid"));
    var body = {session_id: st.closeId, cashier: P.st.cashier, counted: [{method: "cash", denominations: c.list}]};
    if (!c.list.length) { body.counted = [{method: "cash", amount_minor: 0}]; }
    var reason = $("close-reason").value.trim();
    if (reason) { body.reason = reason; }
    P.api("POST", "/api/v1/till/close", body).then(function (res) {
      if (!res.ok) {
        say(P.errText(res));
        if (res.body && res.body.error && res.body.error.code === "reason_required") { $("close-reason").focus(); }
        return;
      }
      var z = res.body, cash = cashTender(z);
      st.z = z; st.report = null;
      $("z-h").textContent = T("z_h", {n: z.z_no});
      $("z-expected").textContent = P.money(cash.expected_minor || 0);
      $("z-counted").textContent = P.money(cash.counted_minor || 0);
      $("z-diff").textContent = P.money(cash.difference_minor || 0);
      $("z-png").src = "/api/v1/till/sessions/" + encodeURIComponent(z.session_id) + "/report.png";
      $("close-reason").value = "";
      Array.prototype.forEach.call(document.querySelectorAll("#close-grid input, #open-grid input"), function (i) { i.value = ""; });
      say(""); indicator(); view(); $("z-print").focus();
    });
  });
  $("z-print").addEventListener("click", function () {
    if (!st.z) { return; }
    P.api("POST", "/api/v1/till/sessions/" + encodeURIComponent(st.z.session_id) + "/print", {}).then(function (res) {
      say(res.ok ? T("printed") : P.errText(res), res.ok);
    });
  });
  $("session").addEventListener("click", show);
  $("tillp-back").addEventListener("click", hide);
  document.addEventListener("keydown", function (ev) { if (ev.key === "Escape" && !$("tillp").hidden) { hide(); } });
  window.POS_TILL = {show: show, refresh: refresh};
}());
