// Web POS screen. Talks only to this agent's JSON API with the storeagent_pos cookie that
// POST /pos/login sets (EventSource cannot send an Authorization header). Keyboard-first:
// every action has a key; see the key line under the basket.
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  var T = window.POS_T;
  var cur = document.body.getAttribute("data-currency") || "EUR";
  // Money as on the receipt: the store's locale, never the browser's.
  var locale = document.body.getAttribute("data-locale") || "en";
  var fmt = new Intl.NumberFormat(locale, {style: "currency", currency: cur});
  var kgFmt = new Intl.NumberFormat(locale, {minimumFractionDigits: 3, maximumFractionDigits: 3});
  var scale = fmt.resolvedOptions().maximumFractionDigits;
  var unit = Math.pow(10, scale);
  var st = {terminal: sessionStorage.getItem("terminal") || "", cashier: sessionStorage.getItem("cashier") || "",
    items: [], sel: -1, quote: null, note: "", saleId: "", customer: "", reservation: "", done: false, es: null, seq: 0,
    paying: false, lastInput: null, scaleWait: 0};

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
  // parseMoney reads "12,50" or "12.50" as minor units; NaN when it is not an amount.
  function parseMoney(t) {
    var v = parseFloat(String(t || "").replace(/\s/g, "").replace(",", "."));
    return v >= 0 ? Math.round(v * unit) : NaN;
  }
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
  // errText is the API's error as a sentence in the cashier's language; the code drives logic.
  function errText(res, extra) {
    var e = (res.body && res.body.error) || {};
    var it = typeof e.line === "number" ? st.items[e.line] : null;
    var l = typeof e.line === "number" && st.quote && st.quote.lines ? st.quote.lines[e.line] : null;
    var a = {line: typeof e.line === "number" ? e.line + 1 : "", code: it ? it.code : "", name: e.name || (l && l.name) || (it && it.code) || "",
      max: money(Number(document.body.getAttribute("data-maxdiff")) || 0)};
    for (var k in extra || {}) { a[k] = extra[k]; }
    switch (e.code) {
      case "weight_required": case "unknown_code": case "inactive": case "embedded_zero": case "till_not_open":
      case "till_open": case "reason_required":
        return T(e.code, a);
      case "payments_short": // what is still missing after what was given (extra.given), else the whole due
        var due = st.quote ? st.quote.cash_due_minor - partsSum() - ((extra && extra.given) || 0) : 0;
        return T("payments_short", {due: money(due > 0 ? due : (st.quote ? st.quote.cash_due_minor : 0))});
      case "scale_unstable": return T("sc_unstable", a);
      case "scale_negative": return T("sc_negative", a);
      case "scale_over_capacity": return T("sc_over_capacity", a);
      case "scale_not_zeroed": return T("sc_not_zeroed", a);
      case "change_too_large":
        return T("change_too_large", {max: money(100000)});
    }
    return e.message ? T("error", {code: e.code || res.status}) + " " + e.message : T("error", {code: res.status});
  }

  // --- login -------------------------------------------------------------------------------
  function showTill() {
    $("login").hidden = true; $("till").hidden = false;
    $("term").textContent = st.terminal; $("who").textContent = st.cashier;
    newSale(); listen(); poll();
    if (window.POS_TILL) { window.POS_TILL.refresh(); }
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
    st.paying = false; st.parts = []; st.scaleWait = 0;
    if (window.POS_SCALE) { window.POS_SCALE.stop(); }
    $("parts").textContent = "";
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
      // A variable-measure label (GS1 prefix 2) is one item each: a second scan is a new line.
      if (st.items[i].code === code && !st.items[i].weightG && !/^2\d{12}$/.test(code)) { st.items[i].qty++; st.sel = i; requote(); return; }
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
    if (!st.items.length) { st.quote = null; render(); api("POST", "/api/v1/display/clear").catch(function () {}); return; } // the customer display empties too
    api("POST", "/api/v1/sales/quote", {terminal: st.terminal, cashier: st.cashier, lines: lines(),
      customer_id: st.customer || undefined, reservation_id: st.reservation || undefined}).then(function (res) {
      if (seq !== st.seq) { return; } // a newer change is in flight
      if (!res.ok) {
        var err = (res.body && res.body.error) || {}, bad = err.line, it = st.items[bad];
        if (err.code === "weight_required" && it && !it.weightG && window.POS_SCALE) {
          // Sold by weight, scanned by its plain code: the lane's scale weighs it (pos-scale.js).
          st.items.splice(bad, 1); st.sel = st.items.length - 1; requote();
          window.POS_SCALE.weigh(it.code, err.name, function (grams) {
            if (st.done) { newSale(); }
            st.items.push({code: it.code, qty: 1, weightG: grams}); st.sel = st.items.length - 1; requote();
          }, function (t) { st.note = t; say(t); });
          return;
        }
        if (/^scale_/.test(err.code || "")) {
          // The scale refuses the weighed lines for now (settling, a new item on it): keep the
          // basket, say why, and ask again for a while (10 s; then the next change asks).
          var said = errText(res);
          if ($("msg").textContent.indexOf(said) !== 0) { say(said); } // keeps "… was not added" after it
          if (st.scaleWait++ < 20) { setTimeout(function () { if (seq === st.seq) { requote(); } }, 500); }
          return;
        }
        st.note = errText(res);
        say(st.note);
        if (typeof bad === "number" && it) { st.items.splice(bad, 1); st.sel = st.items.length - 1; requote(); }
        return;
      }
      st.quote = res.body; st.scaleWait = 0; say(st.note); st.note = ""; render();
    }).catch(function () { say(T("no_answer", {n: 1})); });
  }
  function render() {
    var tb = document.querySelector("#basket tbody");
    tb.textContent = "";
    var q = st.quote;
    st.items.forEach(function (it, i) {
      var l = q && q.lines && q.lines[i];
      var tr = document.createElement("tr");
      if (i === st.sel) { tr.className = "sel"; tr.setAttribute("aria-selected", "true"); }
      var name = l ? l.name : it.code, qty = String(it.qty), price = l ? money(l.unit_price_minor) : "";
      if (l && l.weight_g) { // "0,350 kg × 29,90 €/kg"
        qty = kgFmt.format(l.weight_g / 1000) + " kg";
        price += "/kg";
        name += " · " + qty + " × " + price;
      }
      [name, qty, price, l ? money(l.amount_minor) : ""]
        .forEach(function (t, j) { var td = document.createElement("td"); td.textContent = t; if (j) { td.className = "n"; } tr.appendChild(td); });
      if (window.POS_DISC) { window.POS_DISC.line(tr.firstChild, l); } // pos-discounts.js
      tr.addEventListener("click", function () { st.sel = i; render(); });
      tb.appendChild(tr);
    });
    $("total").textContent = money(q ? q.total_minor : 0);
    $("tax").textContent = money(q ? q.tax_minor : 0);
    if (window.POS_DISC) { window.POS_DISC.total(q); }
    $("cashdue").textContent = money(q ? Math.max(0, q.cash_due_minor - partsSum()) : 0); // less card and voucher parts
    var ul = $("taxes"); ul.textContent = "";
    ((q && q.taxes) || []).forEach(function (t) {
      var li = document.createElement("li");
      li.textContent = T("vat_line", {rate: (t.tax_rate_bp / 100).toLocaleString(locale), tax: money(t.tax_minor), gross: money(t.gross_minor)});
      ul.appendChild(li);
    });
    presets();
  }
  // presets offers the exact amount and the next round 5, 10, 20 and 50 above what is due in cash.
  function presets() {
    var box = $("presets"); box.textContent = "";
    var due = st.quote && !st.done ? Math.max(0, st.quote.cash_due_minor - partsSum()) : 0;
    if (!due) { return; }
    var seen = {}, vals = [due];
    [5, 10, 20, 50].forEach(function (n) { var v = Math.ceil(due / (n * unit)) * n * unit; vals.push(v); });
    vals.forEach(function (v, k) {
      if (seen[v]) { return; }
      seen[v] = true;
      var b = document.createElement("button");
      b.type = "button"; b.className = "preset"; b.setAttribute("data-minor", String(v));
      b.textContent = k ? money(v) : T("exact") + " " + money(v);
      b.addEventListener("click", function () { pay({method: "cash", amount_minor: v}); });
      box.appendChild(b);
    });
  }
  function changeQty(d) {
    var it = st.items[st.sel];
    if (!it || st.done) { return; }
    var l = st.quote && st.quote.lines && st.quote.lines[st.sel];
    var name = (l && l.name) || it.code;
    // The API charges a weighed line by its weight and a label by its printed value: say why
    // the quantity cannot change instead of showing a quantity nobody will be charged for.
    if (it.weightG || (l && l.weight_g && !/^2\d{12}$/.test(it.code))) { say(T("weighed_qty", {name: name})); return; }
    if (/^2\d{12}$/.test(it.code)) { say(T("embedded_qty", {name: name})); return; }
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
  // pay sends the sale once per basket: a second tap while it is in flight does nothing, and a
  // lost connection retries the same sale_id, whose stored result the agent answers.
  function pay(payment) {
    if (st.paying) { say(T("paying")); return; }
    if (!st.quote || !st.items.length || st.done) { say(T(payment.method === "card" ? "empty_card" : "empty")); return; }
    st.paying = true;
    var body = {sale_id: st.saleId, terminal: st.terminal, cashier: st.cashier, lines: lines(),
      payments: st.parts.concat([payment]), customer_id: st.customer || undefined, reservation_id: st.reservation || undefined, print: true};
    var tries = 0;
    function send() {
      return api("POST", "/api/v1/sales", body).then(function (res) {
        if (!res.ok && res.body && res.body.error && res.body.error.code === "no_printer") {
          delete body.print; // no printer at this lane: the same sale_id, without printing
          return api("POST", "/api/v1/sales", body);
        }
        return res;
      }).catch(function () {
        if (++tries > 5) { throw new Error("gave up"); }
        say(T("no_answer", {n: tries}));
        return new Promise(function (ok) { setTimeout(ok, 400 * tries); }).then(send);
      });
    }
    send().then(function (res) {
      st.paying = false;
      if (!res.ok) { say(errText(res, {given: payment.method === "cash" ? payment.amount_minor : 0})); return; }
      var s = res.body;
      st.done = true;
      $("change").textContent = money(s.change_minor);
      $("receipt-no").textContent = s.receipt_no;
      rtStatus(s);
      $("receipt").src = "/api/v1/sales/" + encodeURIComponent(s.sale_id) + "/receipt.png";
      $("done").hidden = false;
      presets();
      if (window.POS_TILL) { window.POS_TILL.refresh(); }
      say((s.warnings || []).map(function (w) { return w.message; }).join("; "));
      $("new-sale").focus();
    }).catch(function () { st.paying = false; say(T("gave_up")); });
  }
  // rtStatus shows an Italian sale's registration on the RT, asking again while it is pending
  // (a few times: the sale is safe either way, the agent keeps the job until it registers).
  function rtStatus(s, tries) {
    var el = $("fiscal");
    var f = s.fiscal;
    if (!f || !f.status) { el.hidden = true; return; }
    el.hidden = false;
    if (f.status === "registered") { el.textContent = T("rt_registered", {doc: f.doc_no, z: f.z_no}); return; }
    if (f.status === "failed") { el.textContent = T("rt_failed", {error: f.error || ""}); return; }
    el.textContent = T("rt_pending");
    tries = tries || 0;
    if (tries >= 20) { return; }
    setTimeout(function () {
      if (!st.done) { return; }
      api("GET", "/api/v1/sales/" + encodeURIComponent(s.sale_id)).then(function (res) {
        if (res.ok && res.body) { rtStatus(res.body, tries + 1); }
      });
    }, 500);
  }
  $("cash-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var v = parseMoney($("cash").value);
    if (isNaN(v)) { say(T("type_cash")); return; }
    pay({method: "cash", amount_minor: v});
  });
  $("card").addEventListener("click", function () {
    var card = {method: "card", amount_minor: st.quote ? st.quote.total_minor - partsSum() : 0};
    if (window.POS_EPT) { window.POS_EPT.card(card.amount_minor); } else { pay(card); } // pos-pay.js: the payment terminal
  });
  $("new-sale").addEventListener("click", newSale);
  // Split payments: the amount typed in the cash field is taken by card or voucher first; cash
  // or card then pays what is left.
  function partsSum() { return (st.parts || []).reduce(function (n, p) { return n + p.amount_minor; }, 0); }
  function addPart(method) {
    if (!st.quote || !st.items.length || st.done) { say(T("empty")); return; }
    var v = parseMoney($("cash").value);
    if (!(v > 0)) { say(T("need_amount")); $("cash").focus(); return; }
    st.parts.push({method: method, amount_minor: v});
    var li = document.createElement("li");
    li.textContent = T("m_" + method) + " " + money(v);
    $("parts").appendChild(li);
    $("cash").value = "";
    say(T("left", {due: money(Math.max(0, st.quote.total_minor - partsSum()))}));
    render(); $("cash").focus();
  }
  $("part-card").addEventListener("click", function () { addPart("card"); });
  $("part-voucher").addEventListener("click", function () { addPart("voucher"); });
  $("code-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var v = $("code").value; $("code").value = "";
    if (window.POS_RCP && window.POS_RCP.isLink(v)) { window.POS_RCP.scan(v); return; } // a receipt typed or pasted
    add(v);
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
      if (!res.body.length) { var none = document.createElement("li"); none.textContent = T("no_orders"); ul.appendChild(none); return; }
      res.body.forEach(function (r) {
        var li = document.createElement("li");
        var qty = r.lines.reduce(function (n, l) { return n + l.qty; }, 0);
        li.appendChild(document.createTextNode(r.order_ref + " · " + r.customer_name + " · " + qty + " items · " + (r.paid ? T("paid") : T("to_pay")) + " "));
        var btn = document.createElement("button");
        btn.type = "button";
        btn.className = r.paid ? "collect" : "sell";
        btn.setAttribute("data-id", r.reservation_id);
        btn.textContent = r.paid ? T("hand_over") : T("sell");
        btn.addEventListener("click", function () { if (r.paid) { collect(r); } else { sellOrder(r); } });
        li.appendChild(btn);
        ul.appendChild(li);
      });
      var first = ul.querySelector("button"); if (first) { first.focus(); }
    });
  }
  function collect(r) {
    api("POST", "/api/v1/reservations/" + encodeURIComponent(r.reservation_id) + "/collect").then(function (res) {
      say(res.ok ? T("handed", {ref: r.order_ref, name: r.customer_name}) : errText(res));
      loadOrders(); $("code").focus();
    });
  }
  function sellOrder(r) {
    newSale();
    st.reservation = r.reservation_id;
    st.items = r.lines.map(function (l) { return {code: l.sku, qty: l.qty}; });
    st.sel = st.items.length - 1;
    say(T("sell_order", {ref: r.order_ref, name: r.customer_name}));
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
      case "F10": ev.preventDefault(); if (window.POS_TILL) { window.POS_TILL.show(); } return;
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
      if (!d.valid) { say(T("unreadable")); return; }
      if (d.product) { add(d.data); return; }
      // A receipt's QR code (links.receipt): the refund/reprint dialog for that sale.
      if (window.POS_RCP && window.POS_RCP.isLink(d.data)) { window.POS_RCP.scan(d.data); return; }
      say(T("unknown_code", {code: d.data}));
    });
    // A print job the agent gave up on: stays on screen until the cashier has read it (a French
    // duplicate that may be on paper already: reprint only if none came out).
    st.es.addEventListener("print", function (ev) {
      var d; try { d = JSON.parse(ev.data); } catch (e) { return; }
      $("printfail-text").textContent = T(d.duplicate ? "print_dup_failed" : "print_failed", {printer: d.printer || ""});
      $("printfail").hidden = false;
    });
  }
  function poll() {
    api("GET", "/api/v1/status").then(function (res) {
      if (res.status === 401) { sessionStorage.clear(); location.reload(); return; }
      if (res.ok) {
        $("offline").hidden = !!res.body.online;
        $("pending").textContent = String((res.body.outbox && res.body.outbox.pending) || 0);
        if (window.POS_DEVICES) { window.POS_DEVICES(res.body.devices); } // pos-devices.js
      }
    }).catch(function () { $("offline").hidden = false; })
      .then(function () { setTimeout(poll, 5000); });
  }

  // --- touch: line keys and the numpad type into the field last used ----------------------
  document.addEventListener("pos-lang", render); // pos-i18n.js: the cashier switched language
  $("printfail-ok").addEventListener("click", function () { $("printfail").hidden = true; $("code").focus(); });
  $("plus").addEventListener("click", function () { changeQty(1); });
  $("minus").addEventListener("click", function () { changeQty(-1); });
  $("void").addEventListener("click", voidLine);
  document.addEventListener("focusin", function (ev) { if (ev.target.tagName === "INPUT") { st.lastInput = ev.target; } });
  ["7", "8", "9", "⌫", "4", "5", "6", "*", "1", "2", "3", ",", "0", "00", "↵"].forEach(function (k) {
    var b = document.createElement("button");
    b.type = "button"; b.textContent = k; b.setAttribute("data-key", k);
    if (k === "⌫") { b.setAttribute("aria-label", "Backspace"); }
    if (k === "↵") { b.setAttribute("aria-label", "Enter"); b.className = "enter"; }
    b.addEventListener("mousedown", function (ev) { ev.preventDefault(); }); // keep the field's focus
    b.addEventListener("click", function () {
      var f = st.lastInput || $("code");
      if (k === "⌫") { f.value = f.value.slice(0, -1); } else if (k === "↵") {
        if (f.form && f.form.requestSubmit) { f.form.requestSubmit(); }
      } else { f.value += k; }
      f.focus();
    });
    $("numpad").appendChild(b);
  });
  window.POS = {add: add, api: api, money: money, parseMoney: parseMoney, errText: errText, uuid4: uuid4, st: st, T: T, pay: pay, say: say};

  // A still-valid cookie and a remembered lane skip the login form.
  if (st.terminal && st.cashier) {
    api("GET", "/api/v1/status").then(function (res) { if (res.ok) { showTill(); } });
  }
}());
