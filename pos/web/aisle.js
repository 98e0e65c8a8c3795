// Aisle page "scan another": post the photo to /api/v1/scan (decoded on the agent, no third-party
// code) and open the aisle page of the first product found.
(function () {
  "use strict";
  var form = document.querySelector("form.scan");
  if (!form || !window.fetch) { return; }
  var input = form.querySelector("input[type=file]");
  var msg = form.querySelector(".scan-msg");
  var lang = document.documentElement.lang;
  var none = {it: "Nessun codice riconosciuto.", fr: "Aucun code reconnu.", fi: "Koodia ei tunnistettu.", en: "No code recognised."};
  function send(ev) {
    if (ev) { ev.preventDefault(); }
    if (!input.files || !input.files[0]) { return; }
    var fd = new FormData();
    fd.append("image", input.files[0]);
    msg.textContent = "…";
    fetch("/api/v1/scan", {method: "POST", body: fd}).then(function (r) {
      return r.json().then(function (b) { return {ok: r.ok, body: b}; });
    }).then(function (res) {
      var codes = (res.body && res.body.codes) || [];
      for (var i = 0; i < codes.length; i++) {
        var p = codes[i].product;
        if (p) { location.href = "/p/" + encodeURIComponent(p.gtin || p.sku); return; }
      }
      msg.textContent = res.ok ? (none[lang] || none.en) : ((res.body.error && res.body.error.message) || "error");
    }).catch(function () { msg.textContent = none[lang] || none.en; });
  }
  form.addEventListener("submit", send);
  input.addEventListener("change", send);
}());
