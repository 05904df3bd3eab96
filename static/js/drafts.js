// Nothing typed is lost, and a lost connection is said plainly.
//
// Drafts: every POST form with a textarea (or marked data-draft-key) keeps
// what is typed in localStorage, per user and per address it posts to, so a
// session that expired (the POST goes to the sign-in page) or a closed tab
// loses nothing: the form's page restores it with a notice and a Discard
// button. The copy is forgotten once the server accepted the form: the
// response names the address in the short-lived crm_sent cookie
// (crm_site.middleware.SentFormMiddleware), and every draft of the user is
// forgotten when they sign out. data-draft="off" opts a form out;
// the daily report's forms (data-autosave-url) have their own autosave.
//
// Offline: a sticky notice at the top says the network is down. A form saved
// while offline is kept on the device with its idempotency token and sent
// once when the browser is back online; the notice then says when it went
// through. Wording comes from #net-notice's data attributes. No inline
// script (CSP).
(function () {
  "use strict";
  var box = document.getElementById("net-notice");
  if (!box || !window.localStorage) { return; }
  var user = box.dataset.user || "";
  var DRAFT = "crm-draft:" + user + ":";
  var OUTBOX = "crm-outbox:" + user + ":";
  var KEEP_DAYS = 14;
  var SKIP = { csrfmiddlewaretoken: true };

  function msg(name) { return box.dataset[name] || ""; }

  function read(key) {
    try { return JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }
  function write(key, value) {
    try { localStorage.setItem(key, JSON.stringify(value)); return true; } catch (e) { return false; }
  }
  function drop(key) {
    try { localStorage.removeItem(key); } catch (e) { /* ignore */ }
  }
  function keysFrom(prefix) {
    var out = [];
    try {
      for (var i = 0; i < localStorage.length; i++) {
        var key = localStorage.key(i);
        if (key && key.indexOf(prefix) === 0) { out.push(key); }
      }
    } catch (e) { /* storage disabled */ }
    return out;
  }

  function cookie(name) {
    var match = document.cookie.match(new RegExp("(?:^|;\\s*)" + name + "=([^;]*)"));
    return match ? decodeURIComponent(match[1]) : null;
  }

  function actionUrl(form) {
    return new URL(form.getAttribute("action") || window.location.href, window.location.href);
  }

  function hhmm(date) {
    function pad(n) { return (n < 10 ? "0" : "") + n; }
    return pad(date.getHours()) + ":" + pad(date.getMinutes());
  }

  // ---- The notice at the top ------------------------------------------------

  var notice = { state: "" };

  function show(state, text, link, linkText) {
    notice.state = state;
    box.textContent = "";
    box.className = "net-notice d-print-none alert mb-0 rounded-0 border-0 border-bottom py-2 small alert-" +
      ({ offline: "warning", queued: "warning", sending: "info", sent: "success", refused: "danger" }[state] || "info");
    box.setAttribute("role", state === "offline" || state === "refused" ? "alert" : "status");
    var icon = document.createElement("i");
    icon.className = "bi me-1 bi-" + ({ offline: "wifi-off", queued: "phone", sending: "arrow-repeat", sent: "check-circle", refused: "exclamation-triangle" }[state] || "info-circle");
    icon.setAttribute("aria-hidden", "true");
    box.appendChild(icon);
    var span = document.createElement("span");
    span.className = "net-notice-text";
    span.textContent = text;
    box.appendChild(span);
    if (link) {
      var a = document.createElement("a");
      a.href = link;
      a.className = "ms-2 alert-link";
      a.textContent = linkText;
      box.appendChild(a);
    }
    box.hidden = false;
  }

  function hide(state) {
    if (!state || notice.state === state) {
      notice.state = "";
      box.hidden = true;
    }
  }

  function offline() {
    if (notice.state !== "queued") { show("offline", msg("offline")); }
  }

  // Other scripts (the daily report's autosave) report a failed request here.
  window.crmNetwork = {
    failed: function (error) {
      if (!navigator.onLine || (error && error.name === "TypeError")) { offline(); return true; }
      return false;
    }
  };

  // ---- Drafts ----------------------------------------------------------------

  function draftable(form) {
    if ((form.getAttribute("method") || "").toLowerCase() !== "post") { return false; }
    if (form.dataset.draft === "off" || form.hasAttribute("data-autosave-url")) { return false; }
    return form.hasAttribute("data-draft-key") || !!form.querySelector("textarea");
  }

  function kept(el) {
    return el.name && !SKIP[el.name] && el.type !== "hidden" && el.type !== "file" &&
      el.type !== "password" && el.type !== "submit" && el.type !== "button" && !el.disabled;
  }

  function changed(el) {
    if (el.type === "checkbox" || el.type === "radio") { return el.checked !== el.defaultChecked; }
    if (el.tagName === "SELECT") {
      return Array.prototype.some.call(el.options, function (o) { return o.selected !== o.defaultSelected; });
    }
    return el.value !== el.defaultValue;
  }

  function filled(el) {
    return (el.tagName === "TEXTAREA" || el.type === "text") && el.value.trim() !== "";
  }

  function values(form) {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!kept(el)) { return; }
      if (el.type === "checkbox" || el.type === "radio") {
        data[el.name + "\u0000" + el.value] = el.checked;
      } else if (el.tagName === "SELECT") {
        data[el.name] = Array.prototype.filter.call(el.options, function (o) { return o.selected; })
          .map(function (o) { return o.value; });
      } else {
        data[el.name] = el.value;
      }
    });
    return data;
  }

  function differs(form, data) {
    var now = values(form);
    return Object.keys(data).some(function (k) { return JSON.stringify(now[k]) !== JSON.stringify(data[k]); });
  }

  function apply(form, data) {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!kept(el)) { return; }
      if (el.type === "checkbox" || el.type === "radio") {
        var flag = data[el.name + "\u0000" + el.value];
        if (flag !== undefined) { el.checked = flag; }
      } else if (el.tagName === "SELECT") {
        if (Array.isArray(data[el.name])) {
          Array.prototype.forEach.call(el.options, function (o) { o.selected = data[el.name].indexOf(o.value) >= 0; });
        }
      } else if (data[el.name] !== undefined) {
        el.value = data[el.name];
      }
    });
    form.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function restoredNote(form, key) {
    var note = document.createElement("div");
    note.className = "alert alert-info d-flex flex-wrap align-items-center gap-2 py-2 small draft-restored-note";
    note.setAttribute("role", "status");
    var text = document.createElement("span");
    text.textContent = msg("restored");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-sm btn-outline-secondary ms-auto";
    button.textContent = msg("discard");
    button.addEventListener("click", function () {
      drop(key);
      form.reset();
      note.remove();
    });
    note.appendChild(text);
    note.appendChild(button);
    form.insertBefore(note, form.firstChild);
    return note;
  }

  // A form the server accepted: forget its copy (and the daily report's).
  (function forgetSent() {
    var sent = cookie("crm_sent");
    var cutoff = Date.now() - KEEP_DAYS * 86400000;
    keysFrom(DRAFT).forEach(function (key) {
      var draft = read(key);
      if (!draft || draft.at < cutoff || (sent && draft.action === sent)) { drop(key); }
    });
    if (sent !== null) {
      document.cookie = "crm_sent=; Max-Age=0; path=/; SameSite=Lax";
    }
  })();

  var forms = Array.prototype.filter.call(document.querySelectorAll("form"), draftable);
  var seen = {};
  var restoredShown = false;

  forms.forEach(function (form) {
    var action = actionUrl(form).pathname;
    var name = form.dataset.draftKey || action;
    seen[name] = (seen[name] || 0) + 1;
    var key = DRAFT + name + (seen[name] > 1 ? "#" + seen[name] : "");
    form.dataset.draftStore = key;
    var timer = null;

    // `sending`: kept if anything is written, even as the page showed it (a
    // form sent back with errors, sent again after the session expired).
    function keep(sending) {
      clearTimeout(timer);
      timer = null;
      if (!user) { return; }
      var dirty = Array.prototype.some.call(form.elements, function (el) {
        return kept(el) && (sending === true ? filled(el) : changed(el));
      });
      if (dirty) {
        write(key, { at: Date.now(), action: action, page: window.location.pathname, data: values(form) });
      } else {
        drop(key);
      }
    }

    form.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(keep, 400);
    });
    form.addEventListener("change", function () {
      clearTimeout(timer);
      timer = setTimeout(keep, 400);
    });
    form.addEventListener("reset", function () { setTimeout(function () { drop(key); }, 0); });
    // Kept at once when sent: the POST may end on the sign-in page.
    form.addEventListener("submit", function () { keep(true); });
    window.addEventListener("pagehide", function () { if (timer) { keep(); } });

    var draft = read(key);
    if (draft && draft.data && differs(form, draft.data)) {
      apply(form, draft.data);
      var note = restoredNote(form, key);
      // A step's form folded away on the page is opened, and the first
      // restored form is brought into view (on a phone it is far below).
      var fold = form.closest("details:not([open]), .collapse:not(.show)");
      if (fold) {
        if (fold.tagName === "DETAILS") { fold.open = true; } else { fold.classList.add("show"); }
      }
      if (!restoredShown && !window.location.hash) {
        restoredShown = true;
        note.scrollIntoView({ block: "center" });
      }
    }
  });

  // ---- Offline: keep the form, send it when the connection returns -----------

  function queueable(form) {
    return (form.getAttribute("method") || "").toLowerCase() === "post" && form.dataset.draft !== "off" &&
      (draftable(form) || form.hasAttribute("data-autosave-url") || !!form.querySelector("input[data-idempotency-token]"));
  }

  function release(form) {
    delete form.dataset.submitted;
    form.querySelectorAll("button[type=submit]").forEach(function (b) {
      b.classList.remove("disabled", "is-busy");
      b.removeAttribute("aria-disabled");
      b.removeAttribute("aria-busy");
      b.querySelectorAll(".js-busy-spinner").forEach(function (el) { el.remove(); });
    });
  }

  // Signing out on purpose (data-signs-out on the sign-out form) forgets the
  // user's drafts on this device, which may be shared; an expired session
  // keeps them. Saves waiting for the network (the outbox) stay: they are
  // the user's submitted work, sent when they are next online.
  document.addEventListener("submit", function (event) {
    if (!event.defaultPrevented && user && event.target.hasAttribute("data-signs-out")) {
      keysFrom(DRAFT).forEach(drop);
    }
  });

  // On document, after app.js's confirm and double-submit guard.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || navigator.onLine || !user || !queueable(form)) { return; }
    event.preventDefault();
    var hasFile = Array.prototype.some.call(form.querySelectorAll("input[type=file]"), function (f) {
      return f.files && f.files.length;
    });
    if (hasFile) {
      release(form);
      show("offline", msg("noFiles"));
      return;
    }
    var fields = [];
    new FormData(form).forEach(function (value, name) {
      if (!SKIP[name] && typeof value === "string") { fields.push([name, value]); }
    });
    var button = event.submitter;
    if (button && button.name) { fields.push([button.name, button.value]); }
    var url = actionUrl(form);
    var tokenField = form.querySelector("input[data-idempotency-token]");
    var token = tokenField ? tokenField.value : String(Date.now());
    var item = {
      at: Date.now(),
      action: url.pathname + url.search,
      page: window.location.pathname + window.location.search,
      fields: fields,
      draft: form.dataset.draftStore || "",
      autosave: form.dataset.autosaveKey || ""
    };
    // One entry per form token: saving twice offline sends it once.
    if (write(OUTBOX + item.action + ":" + token, item)) {
      show("queued", msg("queued"));
    } else {
      release(form);
      show("offline", msg("offline"));
    }
  });

  var flushing = false;

  function isLogin(url) {
    return new URL(url, window.location.href).pathname === box.dataset.loginUrl;
  }

  function sendOne(key) {
    var item = read(key);
    if (!item) { return Promise.resolve(); }
    // Claimed before it is sent: another tab, or a second "online" event,
    // finds nothing to send. It is put back only if it never reached the server.
    drop(key);
    var body = new FormData();
    var csrf = cookie("csrftoken") || (document.querySelector("input[name=csrfmiddlewaretoken]") || {}).value || "";
    body.append("csrfmiddlewaretoken", csrf);
    item.fields.forEach(function (pair) { body.append(pair[0], pair[1]); });
    show("sending", msg("sending"));
    var path = new URL(item.action, window.location.href).pathname;
    document.cookie = "crm_sent=; Max-Age=0; path=/; SameSite=Lax";
    return fetch(item.action, { method: "POST", body: body, credentials: "same-origin", redirect: "follow" })
      .then(function (response) {
        // Accepted: the server names the address in crm_sent (a step refused
        // as a whole also redirects, without it).
        var accepted = response.ok && cookie("crm_sent") === path;
        document.cookie = "crm_sent=; Max-Age=0; path=/; SameSite=Lax";
        if (isLogin(response.url)) {
          write(key, item);
          show("refused", msg("signedOut"));
        } else if (accepted) {
          if (item.draft) { drop(item.draft); }
          if (item.autosave) { drop(item.autosave); }
          document.querySelectorAll("form").forEach(function (form) {
            if (form.dataset.draftStore && form.dataset.draftStore === item.draft) {
              form.reset();
              // A new token: what is written next is a new record, not this one again.
              var token = form.querySelector("input[data-idempotency-token]");
              if (token && window.crypto && window.crypto.randomUUID) { token.value = window.crypto.randomUUID(); }
              var note = form.querySelector(".draft-restored-note");
              if (note) { note.remove(); }
            }
            if (form.dataset.submitted) { release(form); }
          });
          show("sent", msg("sent").replace("{time}", hhmm(new Date())), response.url, msg("view"));
        } else {
          // Sent back with errors, or refused: the draft stays for the form's page.
          show("refused", msg("refused"), item.page, msg("open"));
        }
      })
      .catch(function () {
        write(key, item);
        offline();
        throw new Error("offline");
      });
  }

  function sendAll() {
    var keys = keysFrom(OUTBOX);
    var chain = Promise.resolve();
    keys.forEach(function (key) { chain = chain.then(function () { return sendOne(key); }); });
    return chain.catch(function () { /* still offline: kept for the next "online" */ });
  }

  function flush() {
    if (flushing || !user || !navigator.onLine || !keysFrom(OUTBOX).length) { return; }
    flushing = true;
    var run = navigator.locks && navigator.locks.request
      ? navigator.locks.request("crm-outbox", sendAll)
      : sendAll();
    Promise.resolve(run).then(function () { flushing = false; }, function () { flushing = false; });
  }

  window.addEventListener("offline", offline);
  window.addEventListener("online", function () {
    hide("offline");
    flush();
  });
  if (!navigator.onLine) {
    offline();
  } else {
    flush();
  }
})();
