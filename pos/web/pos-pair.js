// Pairing a tablet as this lane's customer display: the cashier opens "Customer display" and
// reads out (or shows) a 6-digit code; the tablet types it on /pos/display. The code works once,
// for a few minutes; "Unpair all displays" ends every display of the lane at once.
(function () {
  "use strict";
  var P = window.POS, T = P.T, $ = function (id) { return document.getElementById(id); };
  var shown = null; // the code on screen: {code, expires}
  var known = -1, timer = null;
  // count shows how many displays are paired; while the dialog is open it asks every 3 s, and a
  // new display means the code on screen was used: it is taken off.
  function count(extra) {
    P.api("GET", "/api/v1/display/sessions").then(function (res) {
      if (!res.ok) { $("pair-count").textContent = P.errText(res); return; }
      var n = res.body.sessions.length;
      if (known >= 0 && n > known && shown) { shown = null; $("pair-code").textContent = ""; $("pair-how").textContent = ""; }
      known = n;
      $("pair-count").textContent = (extra ? extra + " " : "") + (n ? T("pair_count", {n: n}) : T("pair_none"));
    });
  }
  function code() {
    P.api("POST", "/api/v1/display/pairing", {}).then(function (res) {
      if (!res.ok) { $("pair-code").textContent = ""; $("pair-how").textContent = P.errText(res); return; }
      shown = {code: res.body.code, expires: Date.now() + res.body.ttl_seconds * 1000};
      $("pair-code").textContent = res.body.code.slice(0, 3) + " " + res.body.code.slice(3);
      $("pair-how").textContent = T("pair_how", {min: Math.round(res.body.ttl_seconds / 60)});
    });
  }
  function show() {
    $("pairp").hidden = false;
    if (!shown || Date.now() > shown.expires - 15000) { code(); }
    known = -1; count("");
    clearInterval(timer); timer = setInterval(function () { if (!$("pairp").hidden) { count(""); } }, 3000);
    $("pair-new").focus();
  }
  function hide() { $("pairp").hidden = true; clearInterval(timer); $("code").focus(); }
  $("pair").addEventListener("click", show);
  $("pair-new").addEventListener("click", code);
  $("pair-unpair").addEventListener("click", function () {
    P.api("DELETE", "/api/v1/display/sessions").then(function (res) {
      if (!res.ok) { $("pair-count").textContent = P.errText(res); return; }
      shown = null; $("pair-code").textContent = ""; $("pair-how").textContent = "";
      count(T("pair_unpaired", {n: res.body.revoked}));
    });
  });
  $("pairp-back").addEventListener("click", hide);
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape" && !$("pairp").hidden) { hide(); }
  });
}());
