// Card payments through the lane's payment terminal (docs/payments.md). The card button asks the
// agent for a payment (POST /api/v1/payments) and shows it until the terminal answers: approved
// pays the sale with its payment_id, declined or cancelled says why, unknown asks the cashier to
// read the terminal's slip and resolve it. A lane without a payment terminal answers 422
// no_payment_terminal, and the card amount is taken as typed, as before.
(function () {
  "use strict";
  var P = window.POS;
  if (!P) { return; }
  var $ = function (id) { return document.getElementById(id); };
  var texts = {
    en: {ept_h: "Card payment", ept_wait: "Follow the payment terminal: the customer presents the card…",
      ept_unknown: "The terminal did not answer. Look at the terminal's screen or slip: was the payment accepted?",
      ept_standalone: "Key the amount into the card terminal, then say what it shows.",
      ept_auth: "Authorisation code on the slip", ept_approved: "Approved", ept_declined: "Declined", ept_cancel: "Cancel",
      ept_red: "The request is on the terminal: press its red button to cancel.",
      ept_was_declined: "Card declined ({reason}): try another card or another tender.", ept_was_cancelled: "Card payment cancelled.",
      ept_busy: "The payment terminal is busy with another payment."},
    it: {ept_h: "Pagamento con carta", ept_wait: "Seguire il terminale: il cliente presenta la carta…",
      ept_unknown: "Il terminale non ha risposto. Guardare lo schermo o lo scontrino del terminale: il pagamento è stato accettato?",
      ept_standalone: "Digitare l'importo sul terminale, poi indicare l'esito.",
      ept_auth: "Codice di autorizzazione sullo scontrino", ept_approved: "Accettato", ept_declined: "Rifiutato", ept_cancel: "Annulla",
      ept_red: "La richiesta è sul terminale: premere il tasto rosso per annullare.",
      ept_was_declined: "Carta rifiutata ({reason}): provare un'altra carta o un altro pagamento.", ept_was_cancelled: "Pagamento con carta annullato.",
      ept_busy: "Il terminale è occupato con un altro pagamento."},
    fr: {ept_h: "Paiement par carte", ept_wait: "Suivre le terminal : le client présente sa carte…",
      ept_unknown: "Le terminal n'a pas répondu. Regarder l'écran ou le ticket du terminal : le paiement est-il accepté ?",
      ept_standalone: "Saisir le montant sur le terminal, puis indiquer son résultat.",
      ept_auth: "Numéro d'autorisation du ticket", ept_approved: "Accepté", ept_declined: "Refusé", ept_cancel: "Annuler",
      ept_red: "La demande est sur le terminal : appuyer sur sa touche rouge pour annuler.",
      ept_was_declined: "Carte refusée ({reason}) : essayer une autre carte ou un autre moyen de paiement.", ept_was_cancelled: "Paiement par carte annulé.",
      ept_busy: "Le terminal est occupé par un autre paiement."},
    fi: {ept_h: "Korttimaksu", ept_wait: "Seuraa maksupäätettä: asiakas näyttää korttia…",
      ept_unknown: "Maksupääte ei vastannut. Katso päätteen näyttöä tai kuittia: hyväksyttiinkö maksu?",
      ept_standalone: "Näppäile summa maksupäätteeseen ja kerro sitten sen tulos.",
      ept_auth: "Kuitin hyväksyntäkoodi", ept_approved: "Hyväksytty", ept_declined: "Hylätty", ept_cancel: "Peruuta",
      ept_red: "Pyyntö on päätteellä: peruuta painamalla sen punaista painiketta.",
      ept_was_declined: "Kortti hylättiin ({reason}): kokeile toista korttia tai maksutapaa.", ept_was_cancelled: "Korttimaksu peruttiin.",
      ept_busy: "Maksupääte käsittelee toista maksua."}
  };
  var mine = texts[document.body.getAttribute("data-lang")] || texts.en;
  function T(key, args) {
    var s = mine[key] || texts.en[key];
    if (!s) { return P.T(key, args); }
    return s.replace(/\{(\w+)\}/g, function (_, k) { return args && args[k] !== undefined ? String(args[k]) : ""; });
  }
  [["ept-h", "ept_h"], ["ept-auth-l", "ept_auth"], ["ept-approved", "ept_approved"], ["ept-declined", "ept_declined"],
    ["ept-cancel", "ept_cancel"]].forEach(function (p) { $(p[0]).textContent = T(p[1]); });

  // cur is the payment on screen: {payment_id, amount_minor, status, entry_mode, saleId}.
  var cur = null, timer = 0;
  function hide() { $("ept").hidden = true; clearTimeout(timer); if ($("rcp").hidden) { $("code").focus(); } }
  function show(p) {
    cur.status = p.status; cur.entry_mode = p.entry_mode;
    $("ept").hidden = false;
    $("ept-amount").textContent = P.money(p.amount_minor);
    var ask = p.status === "unknown" || (p.status === "pending" && p.entry_mode === "standalone");
    $("ept-resolve").hidden = !ask;
    $("ept-spinner").hidden = ask;
    $("ept-state").textContent = p.status === "unknown" ? T("ept_unknown") : ask ? T("ept_standalone") : T("ept_wait");
    if (ask) { $("ept-auth").focus(); }
  }
  // settle acts on a payment that is no longer pending.
  function settle(p) {
    cur.status = p.status;
    if (p.status === "approved") {
      hide();
      onApproved(p.payment_id);
    } else if (p.status === "declined" || p.status === "cancelled") {
      hide();
      onFail(p.status === "declined" ? T("ept_was_declined", {reason: p.reason}) : T("ept_was_cancelled"));
    } else {
      show(p);
    }
  }
  function watch() {
    clearTimeout(timer);
    timer = setTimeout(function () {
      P.api("GET", "/api/v1/payments/" + encodeURIComponent(cur.payment_id)).then(function (res) {
        if (!res.ok) { watch(); return; }
        if (res.body.status === "pending" && res.body.entry_mode !== "standalone") { show(res.body); watch(); return; }
        settle(res.body);
      }).catch(watch);
    }, 500);
  }
  // start asks the terminal for a payment or refund of amount. approved gets the payment_id ("" when
  // the lane has no payment terminal: the amount is then taken as typed); fail gets a sentence. The
  // same basket (or refund) and amount reuse the same payment_id, so a second tap or a retry never
  // creates a second charge.
  var onApproved = null, onFail = null;
  function start(kind, key, amount, approved, fail) {
    if (!cur || cur.key !== key || cur.kind !== kind || cur.amount_minor !== amount || cur.status === "declined" || cur.status === "cancelled") {
      cur = {payment_id: P.uuid4(), kind: kind, amount_minor: amount, status: "new", key: key};
    }
    onApproved = approved; onFail = fail;
    if (cur.status === "approved") { approved(cur.payment_id); return; }
    P.api("POST", "/api/v1/payments", {payment_id: cur.payment_id, amount_minor: amount, method: "card", kind: kind}).then(function (res) {
      var code = res.body && res.body.error && res.body.error.code;
      if (code === "no_payment_terminal") { cur = null; approved(""); return; }
      if (code === "terminal_busy") { fail(T("ept_busy")); return; }
      if (!res.ok) { fail(P.errText(res)); return; }
      if (res.body.status === "pending" && res.body.entry_mode !== "standalone") { show(res.body); watch(); return; }
      settle(res.body);
    }).catch(function () { fail(P.T("gave_up")); });
  }
  // card pays the sale on screen by card.
  function card(amount) {
    var st = P.st;
    if (!st.quote || !st.items.length || st.done) { P.say(P.T("empty_card")); return; }
    start("payment", st.saleId, amount, function (id) {
      var p = {method: "card", amount_minor: amount};
      if (id) { p.payment_id = id; }
      P.pay(p);
    }, P.say);
  }
  // refund credits amount to the card for refund refundId; approved gets the payment_id ("" on a
  // lane without a payment terminal).
  function refund(refundId, amount, approved, fail) { start("refund", refundId, amount, approved, fail); }
  function resolve(status) {
    P.api("POST", "/api/v1/payments/" + encodeURIComponent(cur.payment_id) + "/resolve",
      {status: status, auth_code: status === "approved" ? ($("ept-auth").value.trim() || undefined) : undefined, cashier: P.st.cashier}).then(function (res) {
      if (!res.ok) { onFail(P.errText(res)); return; }
      $("ept-auth").value = "";
      settle(res.body);
    });
  }
  $("ept-resolve").addEventListener("submit", function (ev) { ev.preventDefault(); resolve("approved"); });
  $("ept-declined").addEventListener("click", function () { resolve("declined"); });
  $("ept-cancel").addEventListener("click", function () {
    if (cur.status === "unknown") { hide(); return; } // it stays unknown: resolve it later from the slip
    P.api("POST", "/api/v1/payments/" + encodeURIComponent(cur.payment_id) + "/cancel").then(function (res) {
      var code = res.body && res.body.error && res.body.error.code;
      if (code === "cancel_on_terminal") { $("ept-state").textContent = T("ept_red"); return; }
      if (!res.ok) { onFail(P.errText(res)); return; }
      settle(res.body);
    });
  });
  window.POS_EPT = {card: card, refund: refund};
}());
