/* The queue's keys and selection (progressive enhancement: the page works without it; the
   checkboxes, "select all" and the Take buttons are plain parts of the bulk form).
   - x selects or unselects the current row (the one j/k moved to), a takes it (the row's
     Take button, a POST), Enter opens it.
   - The bulk bar says how many are selected, on its Clear and Assign buttons too. */
(function () {
  "use strict";

  var form = document.getElementById("bulk");
  var selectAll = document.getElementById("select-all");
  var clearButton = document.getElementById("bulk-clear");
  var assignButton = document.getElementById("bulk-assign");
  var selectedNote = document.getElementById("bulk-selected");

  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  function rowChecks() {
    return Array.prototype.slice.call(document.querySelectorAll(".row-check"));
  }

  function currentRow() {
    var active = document.activeElement;
    var row = active && active.closest && active.closest("[data-keyboard-list] tbody tr");
    return row || document.querySelector("[data-keyboard-list] tr.is-current");
  }

  function refresh() {
    if (!form) return;
    var checks = rowChecks();
    var ticked = checks.filter(function (c) { return c.checked; }).length;
    var all = selectAll && selectAll.checked;
    var n = all ? Number(selectAll.getAttribute("data-count")) : ticked;
    checks.forEach(function (c) {
      c.closest("tr").classList.toggle("is-selected", c.checked || !!all);
    });
    var label = n ? " " + n.toLocaleString("en-US") : " selected";
    if (clearButton) clearButton.textContent = "Clear" + label;
    if (assignButton) assignButton.textContent = "Assign" + label;
    if (selectedNote) selectedNote.textContent = n ? n.toLocaleString("en-US") + " selected" : "";
  }

  if (selectAll) {
    selectAll.addEventListener("change", function () {
      rowChecks().forEach(function (c) { c.checked = selectAll.checked; });
      refresh();
    });
  }
  document.addEventListener("change", function (event) {
    if (!event.target.classList || !event.target.classList.contains("row-check")) return;
    if (selectAll && !event.target.checked) selectAll.checked = false;
    refresh();
  });

  // "/" (app.js) focuses the search box: open the folded filters first (capture phase, so
  // this runs before app.js's handler).
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || typing(event.target)) return;
    var box = document.querySelector("details.filters-box");
    if (box) box.open = true;
  }, true);

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    var row = currentRow();
    if (!row) return;
    if (event.key === "x") {
      var check = row.querySelector(".row-check");
      if (check) {
        check.checked = !check.checked;
        check.dispatchEvent(new Event("change", { bubbles: true }));
      }
      event.preventDefault();
    } else if (event.key === "a") {
      var take = row.querySelector("[data-take]");
      if (take) take.click();
      event.preventDefault();
    } else if (event.key === "Enter" && !/^(A|BUTTON)$/.test(document.activeElement.tagName)) {
      var link = row.querySelector(".row-link");
      if (link) { event.preventDefault(); link.click(); }
    }
  });

  refresh();
})();
