// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  function banner(show) {
    var el = document.getElementById("net-error");
    if (el) { el.hidden = !show; }
  }
  document.addEventListener("htmx:sendError", function () { banner(true); });
  document.addEventListener("htmx:afterRequest", function (e) {
    if (e.detail.successful) { banner(false); }
  });
})();
