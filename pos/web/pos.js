// Web POS screen. Talks only to this agent's JSON API with the storeagent_pos cookie that
// POST /pos/login sets (EventSource cannot send an Authorization header). Keyboard-first:
// every action has a key; see the key line under the basket.
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  var cur = document.body.getAttribute("data-currency") || "EUR";
  var fmt = new Intl.NumberFormat(undefined, {style: "currency", currency: cur});
  var scale = fmt.resolvedOptions().maximumFractionDigits;
  var unit = Math.pow(10, scale);
  var st = {terminal: sessionStorage.getItem("terminal") || "", cashier: sessionStorage.getItem("cashier") || "",
    items: [], sel: -1, quote: null, note: "", saleId: "", customer: "", reservation: "", done: false, es: null, seq: 0};

  // uuid4 is crypto.randomUUID where the page is a secure context; over plain HTTP on the store
  // network it is built from crypto.getRandomValues (RFC 9562 section 5.4 layout).
  function uuid4() {
    if (crypto.randomUUID) { return crypto.randomUUID(); }
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function money(minor) { return fmt.format(minor / unit); }
  function say(t) { $("msg").textContent = t || ""; }
  function api(method, path, body) {
    var init = {method: method, credentials: "same-origin", headers: {}};
    if (body !== undefined) { init.headers["Content-Type"] = "application/json"; init.body = JSON.stringify(body); }
    return fetch(path, init).then(function (r) {
      return r.text().then(function (t) {
        var b = null;
        try { b = t ? JSON.parse(t) : null; } catch (e) { b = null; }
        return {ok: r.ok, status: r.status, body: b};
      });
    });
  }
  function errText(res) { return (res.body && res.body.error && res.body.error.message) || ("error " + res.status); }

  // --- login -------------------------------------------------------------------------------
  function showTill() {
    $("login").hidden = true; $("till").hidden = false;
    $("term").textContent = st.terminal; $("who").textContent = st.cashier;
    newSale(); listen(); poll();
  }
  $("login-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var cashier = $("cashier").value.trim();
    api("POST", "/pos/login", {token: $("token").value}).then(function (res) {
      if (!res.ok) { $("login-msg").textContent = errText(res); return; }
      st.terminal = res.body.terminal; st.cashier = cashier;
      sessionStorage.setItem("terminal", st.terminal); sessionStorage.setItem("cashier", cashier);
      $("token").value = "";
      showTill();
    });
  });
  $("logout").addEventListener("click", function () {
    api("POST", "/pos/logout").then(function () { sessionStorage.clear(); location.reload(); });
  });

  // --- basket ------------------------------------------------------------------------------
  function newSale() {
    st.items = []; st.sel = -1; st.quote = null; st.customer = ""; st.reservation = ""; st.done = false;
    st.saleId = uuid4(); // once per basket: a retried POST cannot sell twice
    $("done").hidden = true; $("customer").textContent = ""; $("cash").value = ""; $("receipt").removeAttribute("src");
    say(""); render(); $("code").focus();
  }
  // add puts a code in the basket; "512*CODE" is 512 g of an item sold by weight.
  function add(code) {
    code = String(code || "").trim();
    if (!code) { return; }
    if (st.done) { newSale(); }
    var m = /^(\d{1,6})\*(.+)$/.exec(code);
    if (m) { st.items.push({code: m[2], qty: 1, weightG: parseInt(m[1], 10)}); st.sel = st.items.length - 1; requote(); return; }
    for (var i = 0; i < st.items.length; i++) {
      if (st.items[i].code === code && !st.items[i].weightG) { st.items[i].qty++; st.sel = i; requote(); return; }
    }
    st.items.push({code: code, qty: 1}); st.sel = st.items.length - 1; requote();
  }
  function lines() {
    return st.items.map(function (it) {
      return it.weightG ? {code: it.code, weight_g: it.weightG} : {code: it.code, qty: it.qty};
    });
  }
  function requote() {
    var seq = ++st.seq;
    if (!st.items.length) { st.quote = null; render(); return; }
    api("POST", "/api/v1/sales/quote", {terminal: st.terminal, cashier: st.cashier, lines: lines(),
      customer_id: st.customer || undefined, reservation_id: st.reservation || undefined}).then(function (res) {
      if (seq !== st.seq) { return; } // a newer change is in flight
      if (!res.ok) {
        var bad = res.body && res.body.error && res.body.error.line;
        st.note = errText(res);
        if (res.body && res.body.error && res.body.error.code === "weight_required") {
          st.note += " — type grams*code, e.g. 500*" + (st.items[bad] ? st.items[bad].code : "CODE");
        }
        say(st.note);
        if (typeof bad === "number" && st.items[bad]) { st.items.splice(bad, 1); st.sel = st.items.length - 1; requote(); }
        return;
      }
      st.quote = res.body; say(st.note); st.note = ""; render();
    }).catch(function () { say("the agent does not answer"); });
  }
  function render() {
    var tb = document.querySelector("#basket tbody");
    tb.textContent = "";
    var q = st.quote;
    st.items.forEach(function (it, i) {
      var l = q && q.lines && q.lines[i];
      var tr = document.createElement("tr");
      if (i === st.sel) { tr.className = "sel"; tr.setAttribute("aria-selected", "true"); }
      [l ? l.name : it.code, String(it.qty), l ? money(l.unit_price_minor) : "", l ? money(l.amount_minor) : ""]
        .forEach(function (t, j) { var td = document.createElement("td"); td.textContent = t; if (j) { td.className = "n"; } tr.appendChild(td); });
      tb.appendChild(tr);
    });
    $("total").textContent = money(q ? q.total_minor : 0);
    $("tax").textContent = money(q ? q.tax_minor : 0);
    $("cashdue").textContent = money(q ? q.cash_due_minor : 0);
    var ul = $("taxes"); ul.textContent = "";
    ((q && q.taxes) || []).forEach(function (t) {
      var li = document.createElement("li");
      li.textContent = (t.tax_rate_bp / 100) + "% VAT " + money(t.tax_minor) + " of " + money(t.gross_minor);
      ul.appendChild(li);
    });
  }
  function changeQty(d) {
    var it = st.items[st.sel];
    if (!it || st.done) { return; }
    it.qty += d;
    if (it.qty < 1) { voidLine(); return; }
    requote();
  }
  function voidLine() {
    if (st.sel < 0 || st.done) { return; }
    st.items.splice(st.sel, 1);
    st.sel = Math.min(st.sel, st.items.length - 1);
    requote();
  }

  // --- payment -----------------------------------------------------------------------------
  function pay(payment) {
    if (!st.quote || !st.items.length || st.done) { say("the basket is empty"); return; }
    var body = {sale_id: st.saleId, terminal: st.terminal, cashier: st.cashier, lines: lines(),
      payments: [payment], customer_id: st.customer || undefined, reservation_id: st.reservation || undefined, print: true};
    api("POST", "/api/v1/sales", body).then(function (res) {
      if (!res.ok && res.body && res.body.error && res.body.error.code === "no_printer") {
        delete body.print; // no printer at this lane: the same sale_id, without printing
        return api("POST", "/api/v1/sales", body);
      }
      return res;
    }).then(function (res) {
      if (!res.ok) { say(errText(res)); return; }
      var s = res.body;
      st.done = true;
      $("change").textContent = money(s.change_minor);
      $("receipt-no").textContent = s.receipt_no;
      $("receipt").src = "/api/v1/sales/" + encodeURIComponent(s.sale_id) + "/receipt.png";
      $("done").hidden = false;
      say((s.warnings || []).map(function (w) { return w.message; }).join("; "));
      $("new-sale").focus();
    }).catch(function () { say("the agent does not answer; press the key again to retry safely"); });
  }
  $("cash-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var v = parseFloat($("cash").value.replace(",", "."));
    if (!(v >= 0)) { say("type the cash given"); return; }
    pay({method: "cash", amount_minor: Math.round(v * unit)});
  });
  $("card").addEventListener("click", function () {
    if (st.quote) { pay({method: "card", amount_minor: st.quote.total_minor}); }
  });
  $("new-sale").addEventListener("click", newSale);
  $("code-form").addEventListener("submit", function (ev) {
    ev.preventDefault(); add($("code").value); $("code").value = "";
  });
  $("loyalty-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var id = $("loyalty").value.trim();
    if (!id) { return; }
    api("GET", "/api/v1/customers/" + encodeURIComponent(id)).then(function (res) {
      if (!res.ok) { $("customer").textContent = errText(res); return; }
      st.customer = res.body.customer_id;
      $("customer").textContent = res.body.name + " · " + res.body.tier + " · " + res.body.points + " pts";
      $("loyalty").value = ""; $("code").focus(); requote();
    });
  });

  // --- click and collect -------------------------------------------------------------------
  // A paid order is handed over (no sale); an unpaid one is sold at the till at the order's prices.
  function loadOrders() {
    api("GET", "/api/v1/reservations?status=open").then(function (res) {
      var ul = $("orders-list"); ul.textContent = "";
      if (!res.ok) { say(errText(res)); return; }
      if (!res.body.length) { var none = document.createElement("li"); none.textContent = "no open orders"; ul.appendChild(none); return; }
      res.body.forEach(function (r) {
        var li = document.createElement("li");
        var qty = r.lines.reduce(function (n, l) { return n + l.qty; }, 0);
        li.appendChild(document.createTextNode(r.order_ref + " · " + r.customer_name + " · " + qty + " items · " + (r.paid ? "paid" : "to pay") + " "));
        var btn = document.createElement("button");
        btn.type = "button";
        btn.className = r.paid ? "collect" : "sell";
        btn.setAttribute("data-id", r.reservation_id);
        btn.textContent = r.paid ? "Hand over" : "Sell";
        btn.addEventListener("click", function () { if (r.paid) { collect(r); } else { sellOrder(r); } });
        li.appendChild(btn);
        ul.appendChild(li);
      });
      var first = ul.querySelector("button"); if (first) { first.focus(); }
    });
  }
  function collect(r) {
    api("POST", "/api/v1/reservations/" + encodeURIComponent(r.reservation_id) + "/collect").then(function (res) {
      say(res.ok ? "order " + r.order_ref + " handed over to " + r.customer_name : errText(res));
      loadOrders(); $("code").focus();
    });
  }
  function sellOrder(r) {
    newSale();
    st.reservation = r.reservation_id;
    st.items = r.lines.map(function (l) { return {code: l.sku, qty: l.qty}; });
    st.sel = st.items.length - 1;
    say("order " + r.order_ref + " for " + r.customer_name + ": take payment");
    requote();
  }
  $("orders-show").addEventListener("click", loadOrders);

  // --- keys --------------------------------------------------------------------------------
  document.addEventListener("keydown", function (ev) {
    if ($("till").hidden) { return; }
    var inCode = document.activeElement === $("code");
    switch (ev.key) {
      case "F2": ev.preventDefault(); $("loyalty").focus(); return;
      case "F4": ev.preventDefault(); $("cash").focus(); return;
      case "F6": ev.preventDefault(); loadOrders(); return;
      case "F8": ev.preventDefault(); $("card").click(); return;
      case "F9": ev.preventDefault(); newSale(); return;
      case "Escape": $("code").focus(); return;
    }
    if (!inCode || $("code").value !== "") { return; }
    switch (ev.key) {
      case "ArrowUp": ev.preventDefault(); st.sel = Math.max(0, st.sel - 1); render(); break;
      case "ArrowDown": ev.preventDefault(); st.sel = Math.min(st.items.length - 1, st.sel + 1); render(); break;
      case "+": ev.preventDefault(); changeQty(1); break;
      case "-": ev.preventDefault(); changeQty(-1); break;
      case "Delete": ev.preventDefault(); voidLine(); break;
    }
  });

  // --- scans and status --------------------------------------------------------------------
  function listen() {
    if (st.es || !window.EventSource) { return; }
    st.es = new EventSource("/api/v1/events");
    st.es.addEventListener("scan", function (ev) {
      var d; try { d = JSON.parse(ev.data); } catch (e) { return; }
      if (!d.valid) { say(d.reason || "unreadable scan"); return; }
      if (d.product) { add(d.data); } else { say("unknown code " + d.data); }
    });
  }
  function poll() {
    api("GET", "/api/v1/status").then(function (res) {
      if (res.status === 401) { sessionStorage.clear(); location.reload(); return; }
      if (res.ok) {
        $("offline").hidden = !!res.body.online;
        $("pending").textContent = String((res.body.outbox && res.body.outbox.pending) || 0);
      }
    }).catch(function () { $("offline").hidden = false; })
      .then(function () { setTimeout(poll, 5000); });
  }

  // A still-valid cookie and a remembered lane skip the login form.
  if (st.terminal && st.cashier) {
    api("GET", "/api/v1/status").then(function (res) { if (res.ok) { showTill(); } });
  }
}());
