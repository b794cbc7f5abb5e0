// Live row, column and grand totals of the targets grid (the server computes the same
// totals on save), named targets included. No inline script: the page's CSP allows only
// same-origin files.
(function () {
  "use strict";
  function toInt(input) {
    var n = parseInt(input.value, 10);
    return isNaN(n) || n < 0 ? 0 : n;
  }
  function recompute(table) {
    var rows = table.querySelectorAll("tbody tr[data-row]");
    var columns = table.querySelectorAll("tfoot [data-column-total]");
    var sums = Array.prototype.map.call(columns, function () { return 0; });
    var grand = 0;
    rows.forEach(function (row) {
      var total = 0;
      row.querySelectorAll("input[data-cell]").forEach(function (input, i) {
        // The cell's other targets counted in cases (named ones) add to what is typed.
        var n = toInt(input) + (parseInt(input.dataset.fixed, 10) || 0);
        total += n;
        sums[i] += n;
      });
      row.querySelector("[data-row-total]").textContent = String(total);
      grand += total;
    });
    columns.forEach(function (cell, i) { cell.textContent = String(sums[i]); });
    var grandCell = table.querySelector("[data-grand-total]");
    if (grandCell) { grandCell.textContent = String(grand); }
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("table[data-target-grid]").forEach(function (table) {
      table.addEventListener("input", function () { recompute(table); });
      recompute(table);
    });
  });
})();
