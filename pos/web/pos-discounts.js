// Discounts on the POS screen (issue 18): under each line the promotions that priced it (their
// name in the store's language, the amount off) and, in the totals, what the basket saves. The
// amounts are the quote's, never worked out here, so the screen says what the sale will store.
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  window.POS_DISC = {
    // line writes the quoted line's discounts under its name in cell.
    line: function (cell, l) {
      if (!l || !l.discounts || !l.discounts.length || !window.POS) { return; }
      l.discounts.forEach(function (d) {
        var div = document.createElement("div");
        div.className = "disc";
        var n = document.createElement("span");
        n.textContent = d.name || d.promotion_id;
        var a = document.createElement("span");
        a.className = "off";
        a.textContent = "−" + window.POS.money(d.amount_minor);
        div.appendChild(n); div.appendChild(a);
        cell.appendChild(div);
      });
    },
    // total shows the basket's saving, hidden when there is none.
    total: function (q) {
      var v = q ? q.saving_minor || 0 : 0;
      $("saving-t").hidden = $("saving").hidden = !v;
      $("saving").textContent = v ? "−" + window.POS.money(v) : "";
    }
  };
}());
