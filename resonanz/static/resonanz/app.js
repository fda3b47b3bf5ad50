/* Small behaviours for every page, without inline script (the pages forbid it by CSP). */
(function () {
  "use strict";
  document.addEventListener("change", function (ev) {
    var el = ev.target;
    if (el.hasAttribute && el.hasAttribute("data-autosubmit") && el.form) { el.form.requestSubmit(); }
    if (el.hasAttribute && el.hasAttribute("data-navigate")) { location.href = el.value; }
  });
  document.addEventListener("submit", function (ev) {
    var message = ev.target.getAttribute && ev.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) { ev.preventDefault(); }
  });
})();
