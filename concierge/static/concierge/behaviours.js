/* Declarative behaviours instead of inline event-handler attributes (which the Content-Security-Policy refuses):
 *   <select data-autosubmit>            submits its form when changed (form.submit()).
 *   <input data-autosubmit="request">   submits with form.requestSubmit() (fires submit events: htmx forms).
 *   <form data-confirm="Question?">      asks before submitting; <button data-confirm="…"> asks before its click.
 * Delegated on document, so content swapped in by htmx works too.
 */
(function () {
  "use strict";

  document.addEventListener("change", function (evt) {
    var el = evt.target;
    if (!el || !el.hasAttribute || !el.hasAttribute("data-autosubmit") || !el.form) return;
    if (el.getAttribute("data-autosubmit") === "request" && el.form.requestSubmit) el.form.requestSubmit();
    else el.form.submit();
  });

  document.addEventListener("click", function (evt) {
    var button = evt.target && evt.target.closest ? evt.target.closest("button[data-confirm], a[data-confirm]") : null;
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      evt.preventDefault();
      evt.stopImmediatePropagation();
    }
  }, true);

  document.addEventListener("submit", function (evt) {
    var form = evt.target;
    if (form && form.matches && form.matches("form[data-confirm]") && !window.confirm(form.getAttribute("data-confirm"))) {
      evt.preventDefault();
      evt.stopImmediatePropagation();
    }
  }, true);
})();
