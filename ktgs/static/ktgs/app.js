// The site's shared behaviour, loaded by base.html on every page (the CSP allows no inline
// script): the top bar's menu on narrow screens, tables that scroll inside their box, the
// calendar button of date fields, and the error summary after a failed save. Each part
// enhances markup that works without it, and runs again on content htmx swaps in.
(function () {
  "use strict";

  // --- The top bar folds into a menu below 1100 px (app.css); the button says whether it
  // is open (aria-expanded) and Escape closes it, giving focus back to the button.
  function setUpMenu() {
    var bar = document.querySelector(".topbar");
    var button = bar && bar.querySelector(".menu-toggle");
    if (!button || bar.classList.contains("menu-ready")) return;
    button.hidden = false;
    bar.classList.add("menu-ready");
    button.addEventListener("click", function () {
      var open = bar.classList.toggle("open");
      button.setAttribute("aria-expanded", open ? "true" : "false");
    });
    bar.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && bar.classList.contains("open")) {
        bar.classList.remove("open");
        button.setAttribute("aria-expanded", "false");
        button.focus();
      }
    });
  }

  // --- A table wider than its box is wrapped in a scrolling region (keyboard-focusable,
  // named by the table's caption); its first column stays in view (app.css). Tables that
  // fit, or that already sit in a scrolling box of their page, are left alone.
  function scrollsAlready(table) {
    for (var node = table.parentElement; node && node !== document.body; node = node.parentElement) {
      var overflow = getComputedStyle(node).overflowX;
      if (overflow === "auto" || overflow === "scroll") return true;
    }
    return false;
  }

  function wrapWideTables(root) {
    var tables = (root.querySelectorAll ? root : document).querySelectorAll("main table");
    Array.prototype.forEach.call(tables, function (table) {
      var box = table.parentElement;
      if (!box || box.classList.contains("table-scroll") || scrollsAlready(table)) return;
      if (table.offsetWidth <= box.clientWidth) return;
      var region = document.createElement("div");
      region.className = "table-scroll";
      region.tabIndex = 0;
      region.setAttribute("role", "region");
      var caption = table.caption && table.caption.textContent.trim();
      region.setAttribute("aria-label", caption || document.body.dataset.tableLabel || "");
      box.insertBefore(region, table);
      region.appendChild(table);
    });
  }

  // --- Date fields: the text field keeps dd/mm/yyyy (typed, shown and sent as it always
  // was); a calendar button beside it opens the browser's own date picker, whose choice is
  // written back as dd/mm/yyyy. A date typed in the field is what the picker opens on.
  var DATE_FIELDS = 'input[type="text"][placeholder="dd/mm/yyyy"], input[type="text"][data-date]';

  function pad(n) {
    return (n < 10 ? "0" : "") + n;
  }

  function isoFromTyped(text) {
    var m = /^\s*(\d{1,2})[\/.-](\d{1,2})[\/.-](\d{4})\s*$/.exec(text);
    if (m) return m[3] + "-" + pad(+m[2]) + "-" + pad(+m[1]);
    m = /^\s*(\d{4})-(\d{2})-(\d{2})\s*$/.exec(text);
    return m ? m[0].trim() : "";
  }

  function typedFromIso(iso) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
    return m ? m[3] + "/" + m[2] + "/" + m[1] : "";
  }

  // The field's label, given an id if it has none, to describe the calendar button with:
  // the button's own name stays "pick a date" so that it never shares the field's name.
  function labelIdOf(field) {
    var label = field.id && document.querySelector('label[for="' + field.id + '"]');
    if (!label) return "";
    if (!label.id) label.id = field.id + "-label";
    return label.id;
  }

  function calendarIcon() {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 16 16");
    svg.setAttribute("width", "16");
    svg.setAttribute("height", "16");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var path = document.createElementNS(ns, "path");
    path.setAttribute("fill", "currentColor");
    path.setAttribute(
      "d",
      "M4 0h2v2h4V0h2v2h3v14H1V2h3V0zm-1 6v8h10V6H3zm2 2h2v2H5V8zm4 0h2v2H9V8z"
    );
    svg.appendChild(path);
    return svg;
  }

  function enhanceDate(field) {
    if (field.dataset.datePicker === "ready" || field.disabled || field.readOnly) return;
    field.dataset.datePicker = "ready";
    var wrapper = document.createElement("span");
    wrapper.className = "date-field";
    field.parentNode.insertBefore(wrapper, field);
    wrapper.appendChild(field);

    var native = document.createElement("input");
    native.type = "date";
    native.className = "date-native";
    native.tabIndex = -1;
    native.setAttribute("aria-hidden", "true");
    native.value = isoFromTyped(field.value);

    var button = document.createElement("button");
    button.type = "button";
    button.className = "date-button";
    button.setAttribute("aria-label", document.body.dataset.pickDateLabel || "");
    var labelId = labelIdOf(field);
    if (labelId) button.setAttribute("aria-describedby", labelId);
    button.appendChild(calendarIcon());
    wrapper.appendChild(button);
    wrapper.appendChild(native);

    button.addEventListener("click", function () {
      native.value = isoFromTyped(field.value);
      if (typeof native.showPicker === "function") {
        try {
          native.showPicker();
          return;
        } catch (error) {
          // Not allowed here (no user gesture, an old browser): fall through.
        }
      }
      native.focus();
      native.click();
    });
    native.addEventListener("change", function () {
      var typed = typedFromIso(native.value);
      if (!typed) return;
      field.value = typed;
      field.dispatchEvent(new Event("input", { bubbles: true }));
      field.dispatchEvent(new Event("change", { bubbles: true }));
      field.focus();
    });
    field.addEventListener("input", function () {
      native.value = isoFromTyped(field.value);
    });
  }

  function enhanceDates(root) {
    var fields = (root.querySelectorAll ? root : document).querySelectorAll(DATE_FIELDS);
    Array.prototype.forEach.call(fields, function (field) {
      // Fields in a <template> (rows to clone) are enhanced once cloned into the page.
      if (!field.closest("template")) enhanceDate(field);
    });
  }

  // --- The error summary of a failed save takes focus (so it is read first), and each of
  // its links moves focus to its field: to the control a person uses when the field itself
  // is a hidden input (the unit picker keeps the chosen unit's id in one).
  function isShown(element) {
    return element.type !== "hidden" && element.getClientRects().length > 0;
  }

  function visibleControlFor(field) {
    if (isShown(field)) return field;
    for (var box = field.parentElement; box && box !== document.body; box = box.parentElement) {
      var controls = box.querySelectorAll("input, select, textarea, button");
      for (var i = 0; i < controls.length; i++) {
        if (isShown(controls[i])) return controls[i];
      }
    }
    return null;
  }

  function setUpErrorSummary(root) {
    var summaries = (root.querySelectorAll ? root : document).querySelectorAll(".error-summary");
    Array.prototype.forEach.call(summaries, function (summary) {
      if (summary.dataset.ready) return;
      summary.dataset.ready = "1";
      summary.addEventListener("click", function (event) {
        var link = event.target.closest("a[href^='#']");
        if (!link) return;
        var field = document.getElementById(decodeURIComponent(link.hash.slice(1)));
        var control = field && visibleControlFor(field);
        if (!control) return;
        event.preventDefault();
        control.scrollIntoView({ block: "center" });
        control.focus();
      });
      if (summary.hasAttribute("data-focus")) summary.focus();
    });
  }

  function enhance(root) {
    enhanceDates(root);
    wrapWideTables(root);
    setUpErrorSummary(root);
  }

  function start() {
    setUpMenu();
    enhance(document);
    document.body.addEventListener("htmx:load", function (event) {
      enhance(event.target);
    });
    var resizing = null;
    window.addEventListener("resize", function () {
      clearTimeout(resizing);
      resizing = setTimeout(function () {
        wrapWideTables(document);
      }, 150);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
