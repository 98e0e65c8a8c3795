// Device states on the POS screen (issue 13): a printer out of paper, a scanner reconnecting, an
// open cash drawer... from GET /api/v1/status devices, as sentences under the header; nothing
// shows while every device is fine.
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  var T = window.POS_T, last = [];
  var ok = {connected: true, drawer_closed: true};
  function show(devices) {
    last = devices || [];
    var box = $("devices"); box.textContent = "";
    last.forEach(function (d) {
      if (ok[d.state]) { return; }
      var key = "dev_" + d.state;
      var p = document.createElement("p");
      p.setAttribute("data-device", d.name); p.setAttribute("data-state", d.state);
      p.textContent = T(key, {name: d.name}) === key ? T("dev_other", {name: d.name, state: d.state}) : T(key, {name: d.name});
      box.appendChild(p);
    });
    box.hidden = !box.firstChild;
  }
  window.POS_DEVICES = show;
  document.addEventListener("pos-lang", function () { show(last); });
}());
