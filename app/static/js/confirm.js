/* Confirmations and the print link, without inline scripts (the Content-Security-Policy allows
   scripts from this site only). A form or a submit button with data-confirm="question" asks the
   question first and submits only on OK; an element with data-print prints the page.
   With data-confirm-when-complete as well, the question is asked only when every editable text
   field of the form is filled in: an incomplete form cannot be submitted anyway, so it goes
   straight to the server, which answers with all its field errors at once. */
(function () {
  "use strict";
  function complete(form) {
    var fields = form.querySelectorAll(
      "input[type=text]:not([readonly]), input:not([type]):not([readonly]), textarea:not([readonly])");
    for (var i = 0; i < fields.length; i += 1) {
      if (!fields[i].value.trim()) { return false; }
    }
    return true;
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter;
    var question = (button && button.dataset.confirm) || form.dataset.confirm;
    var onlyComplete = (button && button.hasAttribute("data-confirm-when-complete")) ||
      form.hasAttribute("data-confirm-when-complete");
    if (question && onlyComplete && !complete(form)) {
      return;
    }
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });
  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target.closest("[data-print]") : null;
    if (target) {
      event.preventDefault();
      window.print();
    }
  });
}());
