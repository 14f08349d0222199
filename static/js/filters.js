// Submit a filter form as soon as a select changes; the Apply button still works without JS.
// Not on phones, where the form is folded behind its summary: there one picks several, then Apply.
(function () {
  "use strict";
  document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
    var summary = form.closest("details") && form.closest("details").querySelector("summary");
    form.addEventListener("change", function (event) {
      if (summary && getComputedStyle(summary).display !== "none") {
        return;
      }
      if (event.target instanceof HTMLSelectElement) {
        form.requestSubmit ? form.requestSubmit() : form.submit();
      }
    });
  });
})();
