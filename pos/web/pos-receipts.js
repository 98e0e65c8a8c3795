// Reprints and refunds from the POS screen by the receipt's number (as printed, or just its
// sequence on this lane) or by scanning the receipt's QR code (links.receipt with the sale's id). A refund returns chosen quantities of the sale's lines to one of the sale's
// tenders, under the till session rules (the API answers till_not_open when the store requires one).
(function () {
  "use strict";
  var P = window.POS, T = P.T, $ = function (id) { return document.getElementById(id); };
  var sale = null, refundId = "";
  // say shows a message; ok marks a confirmation (green), not a problem (red).
  function say(t, ok) { var m = $("rcp-msg"); m.textContent = t || ""; m.className = ok ? "msg ok" : "msg"; }
  function show() { $("rcp").hidden = false; say(""); $("rcp-no").focus(); }
  function hide() { $("rcp").hidden = true; $("code").focus(); }
  $("rcp-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var no = $("rcp-no").value.trim();
    if (!no) { return; }
    if (isLink(no)) { $("rcp-no").value = ""; scan(no); return; } // the receipt's QR scanned into the field
    P.api("GET", "/api/v1/receipts/" + encodeURIComponent(no)).then(function (res) {
      if (!res.ok) { sale = null; $("rcp-view").hidden = true; say(res.status === 404 ? T("no_receipt", {no: no}) : P.errText(res)); return; }
      load(res.body);
    });
  });
  // isLink tells a scanned or pasted URL (a receipt's QR code) from a product code.
  function isLink(t) { return /^[a-z][a-z0-9+.-]*:\/\//i.test(String(t || "").trim()); }
  // scan opens the dialog on the sale of a scanned receipt QR code; another store's receipt, an
  // unknown sale or a link that is no receipt is said on the sale screen and opens nothing.
  function scan(data) {
    P.say(T("qr_reading"));
    P.api("GET", "/api/v1/receipts/qr?data=" + encodeURIComponent(String(data).trim().slice(0, 512))).then(function (res) {
      if (!res.ok) {
        var c = res.body && res.body.error && res.body.error.code;
        var t = c === "not_receipt" ? T("qr_not_receipt") : res.status === 404 ? T("qr_unknown") : P.errText(res);
        if ($("rcp").hidden) { P.say(t); } else { say(t); }
        return;
      }
      P.say("");
      $("rcp").hidden = false;
      load(res.body);
      var first = $("rq-0"); if (first) { first.focus(); }
    }).catch(function () { P.say(T("no_answer", {n: 1})); });
  }
  // load shows a found sale: its lines with a refund quantity each, and the tenders to refund to.
  function load(found) {
    sale = found; refundId = P.uuid4(); say(sale.receipt_no); $("rcp-no").value = sale.receipt_no;
    var tb = document.querySelector("#rcp-lines tbody"); tb.textContent = "";
    sale.lines.forEach(function (l, i) {
      var tr = document.createElement("tr");
      [l.name, l.weight_g ? (l.weight_g / 1000).toLocaleString(document.body.getAttribute("data-locale"), {minimumFractionDigits: 3}) + " kg" : String(l.qty), P.money(l.amount_minor)]
        .forEach(function (t, j) { var td = document.createElement("td"); td.textContent = t; if (j) { td.className = "n"; } tr.appendChild(td); });
      var td = document.createElement("td"), inp = document.createElement("input");
      inp.type = "number"; inp.min = "0"; inp.max = String(l.qty); inp.id = "rq-" + i; inp.setAttribute("aria-label", T("refund_qty") + " " + l.name);
      td.appendChild(inp); tr.appendChild(td); tb.appendChild(tr);
    });
    // A refund goes back to a tender of the sale (the API refuses others): offer only those.
    var sel = $("rcp-method"), seen = {};
    sel.textContent = "";
    (sale.payments || []).forEach(function (p) {
      if (seen[p.method]) { return; }
      seen[p.method] = true;
      var o = document.createElement("option"); o.value = p.method; o.textContent = T("m_" + p.method); sel.appendChild(o);
    });
    if (!sel.options.length) {
      ["cash", "card"].forEach(function (m) { var o = document.createElement("option"); o.value = m; o.textContent = T("m_" + m); sel.appendChild(o); });
    }
    $("rcp-view").hidden = false;
  }
  window.POS_RCP = {isLink: isLink, scan: scan};
  $("rcp-reprint").addEventListener("click", function () {
    if (!sale) { return; }
    P.api("POST", "/api/v1/sales/" + encodeURIComponent(sale.sale_id) + "/print", {}).then(function (res) {
      say(res.ok ? T("reprinted") : P.errText(res), res.ok);
    });
  });
  $("rcp-refund").addEventListener("click", function () {
    if (!sale) { return; }
    var lines = [];
    sale.lines.forEach(function (l, i) {
      var n = parseInt($("rq-" + i).value, 10);
      if (n > 0) { lines.push({sku: l.sku, qty: n}); }
    });
    if (!lines.length) { say(T("pick_refund")); return; }
    var method = $("rcp-method").value;
    if (method === "card" && window.POS_EPT) { // pos-pay.js: credit the card on the lane's terminal first
      window.POS_EPT.refund(refundId, cardRefundAmount(), function (id) { sendRefund(lines, method, id); }, say);
      return;
    }
    sendRefund(lines, method, "");
  });
  // cardRefundAmount is what the chosen lines refund, each line's share of what it was paid
  // (the agent's rule for a line nothing was refunded of yet).
  function cardRefundAmount() {
    var n = 0;
    sale.lines.forEach(function (l, i) {
      var q = parseInt($("rq-" + i).value, 10);
      if (q > 0) { n += Math.floor(l.amount_minor * Math.min(q, l.qty) / l.qty); }
    });
    return n;
  }
  function sendRefund(lines, method, paymentId) {
    P.api("POST", "/api/v1/refunds", {refund_id: refundId, sale_id: sale.sale_id, lines: lines, method: method,
      cashier: P.st.cashier, terminal: P.st.terminal, payment_id: paymentId || undefined}).then(function (res) {
      if (!res.ok) { say(P.errText(res)); return; }
      refundId = P.uuid4();
      say(T("refunded", {no: sale.receipt_no, amount: P.money(res.body.total_minor)}), true);
      if (window.POS_TILL) { window.POS_TILL.refresh(); }
    });
  }
  $("receipts").addEventListener("click", show);
  $("rcp-back").addEventListener("click", hide);
  document.addEventListener("keydown", function (ev) {
    if ($("till").hidden) { return; }
    if (ev.key === "F7") { ev.preventDefault(); show(); }
    if (ev.key === "Escape" && !$("rcp").hidden) { hide(); }
  });
}());
