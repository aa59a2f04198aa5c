/* Progressive enhancement only: every page works without this file.
   - "?" opens the page's list of shortcuts (a <dialog id="shortcut-help">), if it has one.
   - "/" focuses the search box; "j"/"k" move through the queue, Enter opens.
   - Hovering or focusing a person in the linked-identities graph highlights what they share.
   - Decision buttons ask for confirmation before approving or rejecting. */
(function () {
  "use strict";

  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  // Keyboard shortcuts.
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    if (event.key === "/") {
      var search = document.querySelector("input[type=search]");
      if (search) { event.preventDefault(); search.focus(); search.select(); }
      return;
    }
    if (event.key === "?") {
      // Every page with shortcuts renders <dialog id="shortcut-help"> listing them.
      var help = document.getElementById("shortcut-help");
      if (help && !help.open) { event.preventDefault(); help.showModal(); }
      return;
    }
    if (event.key !== "j" && event.key !== "k") return;
    var links = Array.prototype.slice.call(document.querySelectorAll("[data-keyboard-list] .row-link"));
    if (!links.length) return;
    var index = links.indexOf(document.activeElement);
    index = event.key === "j" ? Math.min(links.length - 1, index + 1) : Math.max(0, index - 1);
    links[index].focus();
    event.preventDefault();
  });

  // Mark the queue row that holds the focused link (for the j/k cursor).
  document.addEventListener("focusin", function (event) {
    var rows = document.querySelectorAll("[data-keyboard-list] tr.is-current");
    Array.prototype.forEach.call(rows, function (row) { row.classList.remove("is-current"); });
    var link = event.target.closest && event.target.closest("[data-keyboard-list] .row-link");
    if (link) link.closest("tr").classList.add("is-current");
  });

  // Graph: highlight a person's edges and the identifiers at their other end.
  Array.prototype.forEach.call(document.querySelectorAll("[data-graph]"), function (svg) {
    function focus(nodeId) {
      svg.classList.add("is-focus");
      var hubs = {};
      Array.prototype.forEach.call(svg.querySelectorAll(".edge"), function (edge) {
        var hot = edge.getAttribute("data-node") === nodeId;
        edge.classList.toggle("is-hot", hot);
        if (hot) hubs[edge.getAttribute("data-hub")] = true;
      });
      Array.prototype.forEach.call(svg.querySelectorAll(".hub"), function (hub) {
        hub.classList.toggle("is-hot", !!hubs[hub.getAttribute("data-hub")]);
      });
    }
    function clear() { svg.classList.remove("is-focus"); }
    Array.prototype.forEach.call(svg.querySelectorAll(".node"), function (node) {
      var id = node.getAttribute("data-node");
      node.addEventListener("mouseenter", function () { focus(id); });
      node.addEventListener("focus", function () { focus(id); });
      node.addEventListener("mouseleave", clear);
      node.addEventListener("blur", clear);
    });
  });

  // Final decisions: one more look before they are recorded.
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var action = button && button.getAttribute("value");
    if (action !== "approve" && action !== "reject") return;
    if (document.body.hasAttribute("data-no-confirm")) return;
    var name = (document.querySelector("h1") || {}).textContent || "this candidate";
    if (!window.confirm((action === "approve" ? "Approve the hire of " : "Reject ") + name.trim() + "?")) {
      event.preventDefault();
    }
  });
})();
