// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  function show(id, visible) {
    var el = document.getElementById(id);
    if (el) { el.hidden = !visible; }
  }
  document.addEventListener("htmx:sendError", function () { show("net-error", true); });
  document.addEventListener("htmx:responseError", function () { show("http-error", true); });
  // After a form comes back with errors, bring the first one into view.
  document.addEventListener("htmx:afterSwap", function (e) {
    var error = document.querySelector("#main .field-error, #main .errors");
    if (error && e.detail.xhr && e.detail.xhr.status >= 400) {
      error.scrollIntoView({ block: "center" });
    }
  });
  // A native date input follows the phone's language; say the chosen day as dd/mm/yyyy too.
  document.addEventListener("input", function (e) {
    var input = e.target;
    if (input.type !== "date") { return; }
    var echo = document.querySelector('[data-date-echo="' + input.id + '"]');
    var parts = input.value.split("-");
    if (echo) { echo.textContent = parts.length === 3 ? parts[2] + "/" + parts[1] + "/" + parts[0] : ""; }
  });
  // On a phone the navigation scrolls sideways: show where the current page sits in it.
  var current = document.querySelector(".mainnav [aria-current]");
  if (current && current.parentNode.scrollWidth > current.parentNode.clientWidth) {
    current.parentNode.scrollLeft = current.offsetLeft - 16;
  }
  document.addEventListener("htmx:afterRequest", function (e) {
    if (e.detail.successful) { show("net-error", false); show("http-error", false); }
  });
})();
