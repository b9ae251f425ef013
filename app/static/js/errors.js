/* A form that comes back with errors: each invalid field is linked to its messages
   (aria-describedby, when the page did not link them itself) and the first one gets the focus,
   so a screen reader reads the problem and the keyboard is where the fixing starts. */
(function () {
  "use strict";
  function link(field, index) {
    if (field.hasAttribute("aria-describedby")) { return; }
    var box = field.closest(".field, td, .criterion, label, fieldset") || field.parentElement;
    var ids = [];
    box.querySelectorAll(".error").forEach(function (message, n) {
      if (!message.id) { message.id = "error-" + index + "-" + n; }
      ids.push(message.id);
    });
    if (ids.length) { field.setAttribute("aria-describedby", ids.join(" ")); }
  }
  function start() {
    var invalid = document.querySelectorAll("main [aria-invalid=true]");
    invalid.forEach(link);
    if (invalid.length && !document.querySelector("main [autofocus]")) {
      invalid[0].focus();
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
