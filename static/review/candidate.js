/* The candidate page's keys (progressive enhancement: every action is a plain form or link).
   s or m: start review (which assigns the candidate to you: there is no separate "assign"
   action); e / c: open the escalate / clear form, reason first; p / r: approve / reject
   (HR leads); j / k: next / previous candidate in the queue (the page's rel=next / rel=prev
   links); Esc: close the open form. "?" (app.js) opens the list of keys.

   A form opened by its key is a keyboard form: Enter in it submits "& next" (the next
   candidate opens), Shift+Enter is a new line in the comment.

   Approving and rejecting are confirmed in the page (a step under the form whose "Yes"
   button has the focus, so Enter confirms and Esc cancels) instead of app.js's
   window.confirm, which a keyboard flow cannot answer reliably: this page sets
   data-no-confirm on <body>, which app.js honours. */
(function () {
  "use strict";

  document.body.setAttribute("data-no-confirm", "");

  var FORM_KEYS = { e: "escalate", c: "clear", p: "approve", r: "reject" };

  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  function openForm(action) {
    var details = document.getElementById("decide-" + action);
    var form = document.getElementById("form-" + action);
    if (!details || !form) return false;
    Array.prototype.forEach.call(document.querySelectorAll("details.decide[open]"), function (other) {
      if (other !== details) other.open = false;
    });
    details.open = true;
    form.setAttribute("data-keyboard", "");
    var reason = form.querySelector("select[name=reason_code]");
    (reason || form.querySelector("textarea, input, button")).focus();
    details.scrollIntoView({ block: "nearest" });
    return true;
  }

  function follow(rel) {
    var link = document.querySelector("a[rel=" + rel + "]");
    if (link) window.location.assign(link.href);
    return !!link;
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "Escape") {
      var open = document.querySelector("details.decide[open]");
      if (open && open.contains(document.activeElement)) {
        cancelConfirm(open.querySelector("form"));
        open.open = false;
        open.querySelector("summary").focus();
        event.preventDefault();
      }
      return;
    }
    if (typing(event.target)) return;
    var handled = false;
    if (event.key === "s" || event.key === "m") {
      var start = document.querySelector("#form-start button[type=submit]");
      if (start) { start.click(); handled = true; }
    } else if (FORM_KEYS[event.key]) {
      handled = openForm(FORM_KEYS[event.key]);
    } else if (event.key === "j") {
      handled = follow("next");
    } else if (event.key === "k") {
      handled = follow("prev");
    }
    if (handled) event.preventDefault();
  });

  // Enter in a keyboard form: submit, then the next candidate.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.shiftKey || event.ctrlKey || event.metaKey || event.altKey) return;
    var form = event.target.closest && event.target.closest("form[data-keyboard]");
    if (!form || event.target.tagName === "BUTTON") return;
    event.preventDefault();
    form.requestSubmit(form.querySelector("[data-then-next]"));
  });

  // In-page confirmation of approve and reject.
  function cancelConfirm(form) {
    if (!form) return;
    var step = form.querySelector(".confirm-step");
    if (step) step.hidden = true;
    form.removeAttribute("data-confirmed");
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var step = form.querySelector && form.querySelector(".confirm-step");
    if (!step || form.hasAttribute("data-confirmed")) return;
    event.preventDefault();
    form._submitter = event.submitter || form.querySelector("[data-then-next]");
    step.hidden = false;
    step.scrollIntoView({ block: "nearest" });
    step.querySelector("[data-confirm]").focus();
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-confirm], [data-cancel]");
    if (!button) return;
    var form = button.closest("form");
    if (button.hasAttribute("data-cancel")) {
      cancelConfirm(form);
      var first = form.querySelector("select, textarea");
      if (first) first.focus();
      return;
    }
    form.setAttribute("data-confirmed", "");
    form.requestSubmit(form._submitter);
  });
})();
