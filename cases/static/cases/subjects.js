// Case form: add subject rows (clone the formset's empty form), pick units from the htmx
// autocomplete (a pick fires `change` on the hidden input), show the unit or the member fields of a row by its kind. No inline
// scripts: CSP allows only files from 'self'.
(function () {
  "use strict";

  function showKind(row) {
    var kind = row.querySelector("select[name$='-kind']");
    if (!kind) return;
    var unit = row.querySelector(".subject-unit");
    var member = row.querySelector(".subject-member");
    if (unit) unit.hidden = kind.value !== "organization";
    if (member) member.hidden = kind.value !== "member";
  }

  function addSubject(button) {
    var prefix = button.dataset.formsetPrefix;
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var template = document.getElementById("subject-template");
    var holder = document.createElement("div");
    holder.innerHTML = template.innerHTML.replace(/__prefix__/g, total.value);
    var row = holder.firstElementChild;
    document.getElementById("subjects").appendChild(row);
    total.value = String(Number(total.value) + 1);
    if (window.htmx) window.htmx.process(row);
    showKind(row);
  }

  function pickUnit(choice) {
    var picker = choice.closest(".unit-picker");
    var input = picker.querySelector("input[type=hidden]");
    input.value = choice.dataset.unitId;
    // A script's assignment fires no event: say so, so that what depends on the unit
    // (the case form's target list, via htmx) follows it.
    input.dispatchEvent(new Event("change", { bubbles: true }));
    picker.querySelector(".unit-picked").textContent = choice.dataset.unitName;
    picker.querySelector(".unit-results").innerHTML = "";
    picker.querySelector(".unit-query").value = "";
  }

  document.addEventListener("click", function (event) {
    var add = event.target.closest("#add-subject");
    if (add) { addSubject(add); return; }
    var choice = event.target.closest(".unit-choice");
    if (choice) pickUnit(choice);
  });

  document.addEventListener("change", function (event) {
    if (event.target.matches("select[name$='-kind']")) {
      showKind(event.target.closest(".subject-row"));
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("#subjects .subject-row").forEach(showKind);
  });
})();
