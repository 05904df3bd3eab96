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

  // Translations from the djangojs catalogue (/jsi18n/), English if it is missing.
  var gettext = typeof window.gettext === "function" ? window.gettext : function (text) { return text; };

  // A busy button: disabled, with a spinner and "Working…" for screen readers.
  function setBusy(button, busy) {
    if (!button) { return; }
    var spinner = button.querySelector(".js-busy-spinner");
    if (busy) {
      button.classList.add("disabled", "is-busy");
      button.setAttribute("aria-disabled", "true");
      button.setAttribute("aria-busy", "true");
      if (!spinner) {
        spinner = document.createElement("span");
        spinner.className = "js-busy-spinner spinner-border spinner-border-sm me-1";
        spinner.setAttribute("aria-hidden", "true");
        var label = document.createElement("span");
        label.className = "js-busy-spinner visually-hidden";
        label.textContent = gettext("Working…");
        button.insertBefore(label, button.firstChild);
        button.insertBefore(spinner, button.firstChild);
      }
    } else {
      button.classList.remove("disabled", "is-busy");
      button.removeAttribute("aria-disabled");
      button.removeAttribute("aria-busy");
      button.querySelectorAll(".js-busy-spinner").forEach(function (el) { el.remove(); });
    }
  }

  // Forms (or the clicked button) marked data-confirm ask before a destructive action.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter || null;
    var question = (button && button.getAttribute("data-confirm")) ||
      (form.getAttribute && form.getAttribute("data-confirm"));
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
      if (button && button.tagName === "BUTTON") {
        setBusy(button, true);
        // A script that took the submit over (fetch) shows its own progress.
        window.setTimeout(function () {
          if (event.defaultPrevented) {
            button.querySelectorAll(".js-busy-spinner").forEach(function (el) { el.remove(); });
            button.classList.remove("is-busy");
            button.removeAttribute("aria-busy");
          }
        }, 0);
      }
    }
  });

  // Links that start an export or a job show a spinner until the page changes
  // (a download leaves the page as it is: the link comes back after a while).
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a.btn[data-busy], a.btn[href*='/export/']") : null;
    if (!link || event.defaultPrevented || event.ctrlKey || event.metaKey || event.shiftKey) { return; }
    setBusy(link, true);
    link.classList.remove("disabled");  // still clickable: a download may need a second try
    link.removeAttribute("aria-disabled");
    window.setTimeout(function () { setBusy(link, false); }, 8000);
  });

  // A form sent back with errors: the keyboard starts at the first field to
  // fix, or at the form's own refusal (a step refused as a whole, which no
  // field shows), brought into view: on a phone the step's form is far below.
  var invalid = document.querySelector(
    "main .is-invalid, main [aria-invalid=true], main form .alert-block.alert-danger"
  );
  if (invalid && typeof invalid.focus === "function" && !document.querySelector("[autofocus]:focus")) {
    if (invalid.matches(".alert") && !invalid.hasAttribute("tabindex")) {
      invalid.setAttribute("tabindex", "-1");
    }
    invalid.focus({ preventScroll: false });
  }

  // Pages restored from the back/forward cache get their buttons back.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-submitted]").forEach(function (f) {
      delete f.dataset.submitted;
      f.querySelectorAll("button[type=submit]").forEach(function (b) { setBusy(b, false); });
    });
    document.querySelectorAll("a.is-busy").forEach(function (a) { setBusy(a, false); });
  });

  // A daily report's entries are one-line rows on a phone (the CSS hides the
  // rest below 768 px): a tap on the row opens or closes it. The entry the
  // address points at (#entry-12, just saved) stays open.
  function setOpen(card, open) {
    card.classList.toggle("is-collapsed", !open);
    var toggle = card.querySelector(".entry-toggle");
    if (toggle) { toggle.setAttribute("aria-expanded", open ? "true" : "false"); }
  }
  document.querySelectorAll(".entry-card .entry-toggle").forEach(function (toggle) {
    var card = toggle.closest(".entry-card");
    setOpen(card, window.location.hash === "#" + card.id);
    toggle.addEventListener("click", function () {
      setOpen(card, card.classList.contains("is-collapsed"));
    });
  });
})();

// POST `body` and read the JSON answer. A failure, a redirect (to the login
// page) or an answer that is not JSON rejects, so callers can fall back.
window.crmPostJson = function (url, body) {
  "use strict";
  return fetch(url, {
    method: "POST",
    body: body,
    credentials: "same-origin",
    headers: { Accept: "application/json" }
  }).then(function (response) {
    var type = response.headers.get("Content-Type") || "";
    if (!response.ok || response.redirected || type.indexOf("application/json") < 0) {
      throw new Error("not json");
    }
    return response.json();
  });
};

// The data a page carries for its charts (json_script element `id`), or null
// where there is none or ECharts is not loaded.
window.crmChartData = function (id) {
  "use strict";
  var source = document.getElementById(id);
  if (!source || typeof echarts === "undefined") {
    return null;
  }
  return JSON.parse(source.textContent);
};

// Charts (ECharts, vendored): draw each [element id, option(narrow)] pair that is
// on the page, and draw it again for the new width on resize and for printing.
window.crmCharts = function (pairs) {
  "use strict";
  var charts = [];
  pairs.forEach(function (pair) {
    var el = document.getElementById(pair[0]);
    if (!el) {
      return;
    }
    var chart = echarts.init(el);
    chart.setOption(pair[1](el.clientWidth < 576));
    charts.push({ chart: chart, el: el, option: pair[1] });
  });
  var redraw = function () {
    charts.forEach(function (item) {
      item.chart.setOption(item.option(item.el.clientWidth < 576), true);
      item.chart.resize();
    });
  };
  window.addEventListener("resize", redraw);
  window.addEventListener("beforeprint", redraw);
  window.addEventListener("afterprint", redraw);
  return charts;
};
