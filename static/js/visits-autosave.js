// Autosave of the daily report forms (entry form, the day's remarks) to the
// server as the user types, so a closed tab or an expired session loses
// nothing. Forms opt in with data-autosave-url and data-autosave-key. What
// could not reach the server (signed out, offline) is kept in localStorage
// and restored on the next visit, then sent again. No inline script (CSP).
(function () {
  "use strict";
  var DELAY = 1200;
  var messages = document.getElementById("autosave-messages");

  function msg(name) {
    return (messages && messages.dataset[name]) || "";
  }

  // The CSRF cookie is rotated when the user signs in again (e.g. in another
  // tab after the session expired): send the current one, not the page's.
  function csrfCookie() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : null;
  }

  function freshCsrf(form) {
    var token = csrfCookie();
    var field = form.querySelector("input[name=csrfmiddlewaretoken]");
    if (token && field) { field.value = token; }
  }

  function tokenOf(form) {
    var field = form.querySelector("input[name=form_token]");
    return field ? field.value : "";
  }

  // After a successful save the server redirects with ?saved=<form token>:
  // forget any copy of that form kept on this device.
  (function forgetSaved() {
    var params = new URLSearchParams(window.location.search);
    var saved = params.get("saved");
    if (!saved) { return; }
    try {
      Object.keys(localStorage).forEach(function (key) {
        if (key.indexOf("visits-") !== 0) { return; }
        var kept = JSON.parse(localStorage.getItem(key) || "null");
        if (kept && kept.token === saved) { localStorage.removeItem(key); }
      });
    } catch (e) { /* ignore */ }
    params.delete("saved");
    var query = params.toString();
    window.history.replaceState(null, "", window.location.pathname + (query ? "?" + query : "") + window.location.hash);
  })();

  function fields(form) {
    var data = {};
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrfmiddlewaretoken" && name !== "form_token") { data[name] = value; }
    });
    return data;
  }

  function restore(form, data) {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrfmiddlewaretoken" || el.name === "form_token" || el.type === "hidden") { return; }
      if (el.type === "radio") {
        if (data[el.name] !== undefined) { el.checked = el.value === data[el.name]; }
      } else if (el.type === "checkbox") {
        el.checked = data[el.name] !== undefined;
      } else if (data[el.name] !== undefined) {
        el.value = data[el.name];
      }
    });
    form.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function setup(form) {
    var key = form.dataset.autosaveKey;
    var status = form.querySelector(".autosave-status");
    var timer = null;
    var dirty = false;
    var submitting = false;
    var serverFailed = false;

    function say(text, tone) {
      if (!status) { return; }
      status.textContent = text;
      status.classList.toggle("text-danger", tone === "warning");
    }

    function keepLocally() {
      try {
        localStorage.setItem(key, JSON.stringify({ at: Date.now(), token: tokenOf(form), data: fields(form) }));
      } catch (e) { /* storage full or disabled: the server copy is all we have */ }
    }

    function save(onLeave) {
      if (!dirty || submitting) { return; }
      dirty = false;
      freshCsrf(form);
      var body = new FormData(form);
      if (onLeave) {
        // The page is going away: a beacon survives it, a fetch may not.
        if (serverFailed || !navigator.sendBeacon || !navigator.sendBeacon(form.dataset.autosaveUrl, body)) {
          keepLocally();
        }
        return;
      }
      window.crmPostJson(form.dataset.autosaveUrl, body)
        .then(function (data) {
          serverFailed = false;
          try { localStorage.removeItem(key); } catch (e) { /* ignore */ }
          if (data.saved) { say(msg("saved") + " " + data.saved_at); }
        })
        .catch(function (error) {
          serverFailed = true;
          dirty = true;
          keepLocally();
          // The network is down: said at the top of the page (drafts.js), not
          // blamed on the sign-in.
          var network = window.crmNetwork && window.crmNetwork.failed(error);
          say(network ? msg("network") : msg("offline"), "warning");
        });
    }

    function schedule() {
      dirty = true;
      if (serverFailed) { keepLocally(); }
      clearTimeout(timer);
      timer = setTimeout(function () { save(false); }, DELAY);
    }

    form.addEventListener("input", schedule);
    form.addEventListener("change", schedule);
    // On document, after app.js's confirm and double-submit guard have run.
    document.addEventListener("submit", function (event) {
      if (event.target !== form || event.defaultPrevented) { return; }
      // The copy on this device is forgotten only once the server confirms
      // the save (?saved=...): a refused POST must not lose it.
      submitting = true;
      clearTimeout(timer);
      freshCsrf(form);
      if (serverFailed) { keepLocally(); }
    });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") { save(true); }
    });
    window.addEventListener("pagehide", function () { save(true); });

    if (!form.dataset.bound) {
      var kept = null;
      try { kept = JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { kept = null; }
      if (kept && kept.data) {
        restore(form, kept.data);
        say(msg("restored"));
        dirty = true;
        save(false);
      }
    }
  }

  // The escalation reason only matters when the entry is flagged.
  function syncEscalation(form) {
    var box = form.querySelector("input[name=needs_escalation]");
    var card = form.querySelector(".escalation-card");
    if (box && card) { card.classList.toggle("is-flagged", box.checked); }
  }

  document.querySelectorAll("form[data-autosave-url]").forEach(function (form) {
    syncEscalation(form);
    form.addEventListener("change", function () { syncEscalation(form); });
    setup(form);
  });
})();
