// The case form and the records' forms: subject rows added with the button (a clone of the
// formset's empty form; focus goes to its first field), the unit pickers, the unit or the
// member fields of a row by its kind, and the confirmation asked for a subject unit outside
// the conducting unit's subtree. No inline scripts: CSP allows only files from 'self'.
//
// A unit picker (cases/partials/unit_picker.html) is an ARIA 1.2 combobox with a listbox
// popup: htmx fills the listbox as the user types; ArrowDown/ArrowUp move the active option
// (aria-activedescendant, the focus stays in the box), Enter or a click picks it, Escape
// closes the list (then clears the box). A pick writes the unit's id in the hidden input and
// fires `change` on it (what depends on the unit follows it: the case form's target list),
// shows the unit as name · code — parent, gives the focus back to the box and says it in
// the picker's polite live region, which also says how many units were found.
(function () {
  "use strict";

  // The conducting unit's picker on the case form (its hidden input).
  var CONDUCTING = "id_organization";

  function parts(picker) {
    return {
      hidden: picker.querySelector("input[type=hidden]"),
      input: picker.querySelector(".unit-query"),
      listbox: picker.querySelector(".unit-results"),
      picked: picker.querySelector(".unit-picked"),
      status: picker.querySelector(".unit-status"),
    };
  }

  function choices(listbox) {
    return Array.prototype.slice.call(listbox.querySelectorAll(".unit-choice"));
  }

  function announce(picker, text) {
    var status = parts(picker).status;
    // Emptied first, then written after a moment: the same words twice are said twice.
    status.textContent = "";
    window.setTimeout(function () {
      status.textContent = text;
    }, 100);
  }

  function setActive(picker, choice) {
    var p = parts(picker);
    choices(p.listbox).forEach(function (each) {
      each.setAttribute("aria-selected", each === choice ? "true" : "false");
    });
    if (choice) {
      p.input.setAttribute("aria-activedescendant", choice.id);
      choice.scrollIntoView({ block: "nearest" });
    } else {
      p.input.removeAttribute("aria-activedescendant");
    }
  }

  function openList(picker) {
    var p = parts(picker);
    p.listbox.hidden = false;
    p.input.setAttribute("aria-expanded", "true");
  }

  function closeList(picker) {
    var p = parts(picker);
    setActive(picker, null);
    p.listbox.hidden = true;
    p.input.setAttribute("aria-expanded", "false");
  }

  function move(picker, step) {
    var p = parts(picker);
    var list = choices(p.listbox);
    if (!list.length) return;
    openList(picker);
    var current = list.indexOf(p.listbox.querySelector(".unit-choice[aria-selected='true']"));
    var next;
    if (current < 0) next = step > 0 ? 0 : list.length - 1;
    else next = (current + step + list.length) % list.length;
    setActive(picker, list[next]);
  }

  // --- A subject unit outside the conducting unit's subtree (the form refuses it
  // unconfirmed: cases.forms.cases.SubjectForm). Paths are the tree's materialised paths:
  // a unit is in a subtree when its path starts with the subtree root's.

  function conductingPath() {
    var hidden = document.getElementById(CONDUCTING);
    var picker = hidden && hidden.closest(".unit-picker");
    return picker && hidden.value ? picker.dataset.unitPath || "" : "";
  }

  function updateOutside(row) {
    var box = row.querySelector(".subject-outside");
    var picker = row.querySelector(".unit-picker");
    var kind = row.querySelector("select[name$='-kind']");
    if (!box || !picker || !kind) return false;
    var path = parts(picker).hidden.value ? picker.dataset.unitPath || "" : "";
    var conducting = conductingPath();
    var outside =
      kind.value === "organization" && path !== "" && conducting !== "" &&
      path.indexOf(conducting) !== 0;
    box.hidden = !outside;
    return outside;
  }

  function updateAllOutside() {
    document.querySelectorAll("#subjects .subject-row").forEach(updateOutside);
  }

  function pickUnit(choice) {
    var picker = choice.closest(".unit-picker");
    var p = parts(picker);
    var label = choice.querySelector(".unit-label");
    p.hidden.value = choice.dataset.unitId;
    picker.dataset.unitPath = choice.dataset.unitPath || "";
    // A script's assignment fires no event: say so, so that what depends on the unit
    // (the case form's target list, via htmx) follows it.
    p.hidden.dispatchEvent(new Event("change", { bubbles: true }));
    var prefix = document.createElement("span");
    prefix.className = "unit-picked-prefix";
    prefix.textContent = picker.dataset.pickedPrefix + ": ";
    p.picked.replaceChildren(prefix, label.cloneNode(true));
    closeList(picker);
    p.listbox.replaceChildren();
    p.input.value = "";
    p.input.focus();
    var said = picker.dataset.pickedPrefix + ": " + label.textContent.trim();
    var row = picker.closest(".subject-row");
    if (row) {
      // A new unit: whatever was confirmed was confirmed for another one.
      var confirm = row.querySelector(".subject-outside input[type=checkbox]");
      if (confirm) confirm.checked = false;
      if (updateOutside(row)) {
        said += ". " + row.querySelector(".subject-outside .warning").textContent.trim();
      }
    } else if (p.hidden.id === CONDUCTING) {
      updateAllOutside();
    }
    announce(picker, said);
  }

  // --- Subject rows

  function showKind(row) {
    var kind = row.querySelector("select[name$='-kind']");
    if (!kind) return;
    var unit = row.querySelector(".subject-unit");
    var member = row.querySelector(".subject-member");
    if (unit) unit.hidden = kind.value !== "organization";
    if (member) member.hidden = kind.value !== "member";
    updateOutside(row);
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
    var first = row.querySelector("select, input:not([type=hidden]), textarea");
    if (first) first.focus();
  }

  // --- Events (delegated: rows and pickers come and go)

  document.addEventListener("click", function (event) {
    var add = event.target.closest("#add-subject");
    if (add) {
      addSubject(add);
      return;
    }
    var choice = event.target.closest(".unit-choice");
    if (choice) pickUnit(choice);
  });

  // A press on an option keeps the focus in the box (else the box's focusout would close
  // the list before the click lands).
  document.addEventListener("mousedown", function (event) {
    if (event.target.closest(".unit-results")) event.preventDefault();
  });

  document.addEventListener("keydown", function (event) {
    var input = event.target.closest && event.target.closest(".unit-query");
    if (!input) return;
    var picker = input.closest(".unit-picker");
    var listbox = parts(picker).listbox;
    switch (event.key) {
      case "ArrowDown":
        event.preventDefault();
        if (event.altKey) openList(picker);
        else move(picker, 1);
        break;
      case "ArrowUp":
        event.preventDefault();
        move(picker, -1);
        break;
      case "Enter": {
        // Never submits the form from the search box.
        event.preventDefault();
        var active = !listbox.hidden && listbox.querySelector(".unit-choice[aria-selected='true']");
        if (active) pickUnit(active);
        break;
      }
      case "Escape":
        if (!listbox.hidden) {
          event.preventDefault();
          closeList(picker);
        } else if (input.value) {
          event.preventDefault();
          input.value = "";
        }
        break;
      default:
        break;
    }
  });

  document.addEventListener("focusout", function (event) {
    if (event.target.matches && event.target.matches(".unit-query")) {
      closeList(event.target.closest(".unit-picker"));
    }
  });

  document.addEventListener("input", function (event) {
    if (event.target.matches(".unit-query") && !event.target.value.trim()) {
      closeList(event.target.closest(".unit-picker"));
    }
  });

  // htmx filled a listbox: number its options, open it and say what was found.
  document.addEventListener("htmx:afterSwap", function (event) {
    var listbox = event.detail.target;
    if (!listbox || !listbox.classList || !listbox.classList.contains("unit-results")) return;
    var picker = listbox.closest(".unit-picker");
    var input = parts(picker).input;
    if (!input.value.trim() || document.activeElement !== input) {
      // An answer to a search the user has left (picked, emptied or moved on).
      listbox.replaceChildren();
      closeList(picker);
      return;
    }
    choices(listbox).forEach(function (choice, index) {
      choice.id = listbox.id + "-" + index;
    });
    setActive(picker, null);
    openList(picker);
    var summary = listbox.querySelector(".unit-summary");
    if (summary) announce(picker, summary.textContent.trim());
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
