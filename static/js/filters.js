// Submit a filter form as soon as a select changes; the Apply button still works without JS.
(function () {
  "use strict";
  document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
    form.addEventListener("change", function (event) {
      if (event.target instanceof HTMLSelectElement) {
        form.requestSubmit ? form.requestSubmit() : form.submit();
      }
    });
  });
})();
