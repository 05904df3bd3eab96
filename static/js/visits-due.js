// "Log a call" on /visits/due/ without leaving the page: a small fetch POST
// with the form's CSRF token and idempotency token. Without JavaScript (or if
// the fetch fails) the form posts normally and the server redirects back.
(function () {
  "use strict";

  function toast(text, tone) {
    var box = document.getElementById("due-toast");
    if (!box) { return; }
    box.className = "alert alert-" + (tone || "success");
    box.textContent = text;
  }

  function bump(selector, delta) {
    var el = document.querySelector(selector);
    if (el) { el.textContent = String(Math.max(0, parseInt(el.textContent, 10) + delta)); }
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form.js-log-call")) { return; }
    event.preventDefault();
    if (form.dataset.busy === "1") { return; }
    form.dataset.busy = "1";
    var cookie = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (cookie && form.csrfmiddlewaretoken) { form.csrfmiddlewaretoken.value = decodeURIComponent(cookie[1]); }
    var row = form.closest(".due-row");
    window.crmPostJson(form.action, new FormData(form))
      .then(function (data) {
        toast(data.message, data.created ? "success" : "info");
        if (data.html) {
          row.outerHTML = data.html;
        } else {
          row.remove();
          bump("[data-due-count]", -1);
          bump("[data-ok-count]", 1);
        }
      })
      .catch(function () {
        // Fall back to a normal POST (the server redirects back here).
        form.submit();
      });
  });
})();
