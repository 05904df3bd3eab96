// Progressive enhancement only: every page works without it. No inline scripts (CSP).
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // Selects marked .js-autosubmit submit their form when changed (language switcher, filters).
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches(".js-autosubmit") && el.form) {
      el.form.submit();
    }
  });

  // Forms marked data-confirm ask before a destructive action.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      return;
    }
    // Disable submit buttons once, so a double click does not post twice.
    if (!form.hasAttribute("data-allow-resubmit")) {
      if (form.dataset.submitted === "1") {
        event.preventDefault();
        return;
      }
      form.dataset.submitted = "1";
      form.querySelectorAll("button[type=submit]").forEach(function (b) {
        b.classList.add("disabled");
        b.setAttribute("aria-disabled", "true");
      });
    }
  });
  // Pages restored from the back/forward cache get their buttons back.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-submitted]").forEach(function (f) {
      delete f.dataset.submitted;
      f.querySelectorAll("button[type=submit]").forEach(function (b) {
        b.classList.remove("disabled");
        b.removeAttribute("aria-disabled");
      });
    });
  });
})();
