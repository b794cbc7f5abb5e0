// After a failed save the error summary at the top of the form takes the focus, so a
// keyboard or screen-reader user hears what is wrong; each of its links moves the focus to
// the field it names (a plain #anchor only scrolls). No inline script: the CSP allows only
// same-origin files.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // A confirmation asked after a valid submit (the amendment's preview) takes it too.
    var summary = document.querySelector("[data-error-summary], [data-focus-on-load]");
    if (!summary) { return; }
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) { return; }
      var field = document.getElementById(link.getAttribute("href").slice(1));
      if (!field) { return; }
      event.preventDefault();
      var group = field.closest("details");
      if (group) { group.open = true; }
      field.focus();
      field.scrollIntoView({ block: "center" });
    });
  });
})();
