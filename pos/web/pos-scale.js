// The scanner-scale on the POS screen (issue 21): an item sold by weight scanned by its plain
// code (no weight in the barcode) is weighed on the lane's scale (GET /api/v1/scale). A steady
// weight above zero adds the line with that weight, the one the API charges; while the scale
// settles the cashier sees what it says; a refusal (unstable too long, negative, over capacity,
// not zeroed) is said as a sentence and adds nothing. Without a scale the cashier types
// grams*code as before.
(function () {
  "use strict";
  var P = window.POS, T = P.T;
  var locale = document.body.getAttribute("data-locale") || "en";
  var kg = new Intl.NumberFormat(locale, {minimumFractionDigits: 3, maximumFractionDigits: 3});
  var TRIES = 16, EVERY = 250; // about 4 s for the weight to settle or the item to be put on
  var turn = 0; // a newer weighing ends an older one
  var refusals = {under_zero: "sc_negative", over_capacity: "sc_over_capacity", no_zero: "sc_not_zeroed"};
  // weigh reads the scale for the item code (its name for the sentences) and calls done(grams)
  // with a steady weight; every other outcome is said by say(text) and done is never called.
  function weigh(code, name, done, say) {
    var mine = ++turn, tries = 0;
    var a = {name: name || code, code: code};
    function ask() {
      if (mine !== turn) { return; }
      P.api("GET", "/api/v1/scale").then(function (res) {
        if (mine !== turn) { return; }
        if (res.status === 404) { say(T("weight_required", a)); return; }
        if (!res.ok) { say(T("sc_unavailable", a)); return; }
        var r = res.body || {};
        if (r.status === "stable" && r.weight_g > 0) { turn++; done(r.weight_g); return; }
        if (refusals[r.status]) { say(T(refusals[r.status], a) + " " + T("sc_not_added", a)); return; }
        if (++tries >= TRIES) { say(T(r.status === "zero" ? "sc_empty" : "sc_unstable", a) + " " + T("sc_not_added", a)); return; }
        a.weight = r.weight_g > 0 ? kg.format(r.weight_g / 1000) : "…";
        say(T(r.status === "zero" ? "sc_empty" : "sc_weighing", a));
        setTimeout(ask, EVERY);
      }).catch(function () { if (mine === turn) { say(T("sc_unavailable", a)); } });
    }
    ask();
  }
  // stop ends a weighing in progress (a new sale).
  function stop() { turn++; }
  window.POS_SCALE = {weigh: weigh, stop: stop};
}());
