/* The case page, progressive enhancement only (the page works without it):
   approving or rejecting a whole case asks once more, naming how many members it touches
   (the button's data-confirm). */
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var question = button && button.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });
})();
