// The targets grid: live row, column and grand totals (the server computes the same totals
// on save), named targets included; arrow keys move between cells like a spreadsheet;
// a cell that is not a whole number is flagged as it is typed (the server refuses it too,
// on the same cell); Enter saves the grid. No inline script: the page's CSP allows only
// same-origin files.
(function () {
  "use strict";
  // The messages come translated from the page (data-message-* on the table).
  var text = { notNumber: "", negative: "" };

  // The message for what is typed, "" when it is fine (blank, or digits only).
  function problem(value) {
    var v = value.trim();
    if (v === "" || /^[0-9]+$/.test(v)) { return ""; }
    if (/^-[0-9]+$/.test(v)) { return text.negative; }
    return text.notNumber;
  }

  function toInt(input) {
    if (problem(input.value)) { return 0; }
    var n = parseInt(input.value, 10);
    return isNaN(n) ? 0 : n;
  }

  function check(input) {
    var message = problem(input.value);
    var box = document.getElementById(input.id + "-error");
    input.setCustomValidity(message);
    if (message) {
      input.setAttribute("aria-invalid", "true");
      if (box) {
        box.textContent = message;
        box.hidden = false;
        input.setAttribute("aria-describedby", box.id);
      }
    } else if (input.getAttribute("aria-invalid") === "true" && input.dataset.serverError !== "1") {
      input.removeAttribute("aria-invalid");
      input.removeAttribute("aria-describedby");
      if (box) { box.textContent = ""; box.hidden = true; }
    }
    return !message;
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

  // The cell `dRow` rows and `dColumn` columns away from `input`, or null at an edge.
  function neighbour(table, input, dRow, dColumn) {
    var rows = Array.prototype.slice.call(table.querySelectorAll("tbody tr[data-row]"));
    var row = input.closest("tr");
    var cells = Array.prototype.slice.call(row.querySelectorAll("input[data-cell]"));
    var r = rows.indexOf(row) + dRow;
    var c = cells.indexOf(input) + dColumn;
    if (r < 0 || r >= rows.length) { return null; }
    var target = rows[r].querySelectorAll("input[data-cell]");
    if (c < 0 || c >= target.length) { return null; }
    return target[c];
  }

  var MOVES = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };

  function onKey(table, event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[data-cell]")) { return; }
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) { return; }
    var move = MOVES[event.key];
    if (!move) { return; }
    // Left and right move the caret inside a cell first; they leave it at its ends.
    if (move[1] !== 0 && input.selectionStart !== input.selectionEnd) { return; }
    if (move[1] < 0 && input.selectionStart > 0) { return; }
    if (move[1] > 0 && input.selectionEnd < input.value.length) { return; }
    // Up and down never change a value (they would on a number input): they only move.
    event.preventDefault();
    var next = neighbour(table, input, move[0], move[1]);
    if (next) {
      next.focus();
      next.select();
    }
  }

  // Back to a page kept in the browser's cache: the blank cells disabled for the submit
  // are editable again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("input[data-cell]:disabled").forEach(function (input) {
      input.disabled = false;
    });
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("table[data-target-grid]").forEach(function (table) {
      // Never empty: an empty message would make a wrong cell count as valid.
      text.notNumber = table.dataset.messageNotNumber || "✗";
      text.negative = table.dataset.messageNegative || "✗";
      table.querySelectorAll("input[data-cell][aria-invalid='true']").forEach(function (input) {
        input.dataset.serverError = "1";
      });
      table.addEventListener("input", function (event) {
        if (event.target.matches("input[data-cell]")) {
          event.target.dataset.serverError = "";
          check(event.target);
        }
        recompute(table);
      });
      table.addEventListener("keydown", function (event) { onKey(table, event); });
      recompute(table);
    });
    document.querySelectorAll("form[data-grid-form]").forEach(function (form) {
      var save = form.querySelector("[data-save]");
      var addRows = form.querySelector("[data-add-rows]");
      form.addEventListener("keydown", function (event) {
        if (event.key !== "Enter" || event.target.tagName !== "INPUT") { return; }
        // Enter in the "add rows" box adds the rows; anywhere else it saves the grid.
        event.preventDefault();
        var button = event.target.id === "extra_units" ? addRows : save;
        if (button) { form.requestSubmit(button); }
      });
      form.addEventListener("submit", function (event) {
        if (event.submitter && event.submitter.hasAttribute("data-add-rows")) { return; }
        // Every wrong cell flagged in one round; the browser points at the first one.
        var bad = Array.prototype.filter.call(
          form.querySelectorAll("input[data-cell]"),
          function (input) { return !check(input); }
        );
        if (bad.length) {
          event.preventDefault();
          bad[0].focus();
          bad[0].reportValidity();
          return;
        }
        // A cell left empty is not sent (the server leaves a cell it is not sent alone), so
        // a grid of hundreds of units posts what was typed, not thousands of blanks; a cell
        // emptied by the user is sent, which removes its target.
        form.querySelectorAll("input[data-cell]").forEach(function (input) {
          if (input.value.trim() === "" && input.defaultValue === "") { input.disabled = true; }
        });
      });
    });
  });
})();
