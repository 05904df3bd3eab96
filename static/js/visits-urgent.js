// The urgent-report queue refreshes its rows by itself (no inline script: CSP).
// Every few seconds it fetches /visits/urgent/rows/ with the page's filters and
// swaps the rows in when they changed; it pauses while the tab is hidden and
// stops if the session ended (the answer is not our partial).
(function () {
  "use strict";
  var box = document.getElementById("urgent-queue");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-refresh-url");
  var seconds = parseInt(box.getAttribute("data-refresh-seconds"), 10) || 15;
  var badgeUrl = box.getAttribute("data-badge-url");
  var announce = document.getElementById("urgent-queue-announce");
  // Polling must not keep an unattended session alive past its idle timeout:
  // after this long without a key, click, touch or scroll it pauses, and the
  // next interaction resumes it.
  var idleMs = (parseInt(box.getAttribute("data-idle-seconds"), 10) || 1500) * 1000;
  var lastActive = Date.now();
  var timer = null;
  var stopped = false;

  function signature(html) {
    // Ignore the "updated at" clock when deciding whether anything changed.
    return html.replace(/<span class="ms-auto">[\s\S]*?<\/span>/, "");
  }

  function updateBadge(rows) {
    if (!badgeUrl || !rows) { return; }
    var open = rows.getAttribute("data-open-count");
    var overdue = parseInt(rows.getAttribute("data-overdue-count"), 10) || 0;
    document.querySelectorAll('.nav-badges a[href="' + badgeUrl + '"]').forEach(function (link) {
      var count = link.querySelector(".nav-count");
      if (open === "0") {
        if (count) { count.remove(); }
        return;
      }
      if (!count) {
        count = document.createElement("span");
        link.appendChild(count);
      }
      count.className = "badge rounded-pill nav-count text-bg-" + (overdue ? "danger" : "warning");
      count.textContent = open;
    });
  }

  function refresh() {
    timer = null;
    if (stopped) { return; }
    if (Date.now() - lastActive > idleMs) { return; }  // paused until activity
    if (document.hidden) { schedule(); return; }
    fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" }, cache: "no-store" })
      .then(function (response) {
        if (!response.ok || response.headers.get("X-Urgent-Rows") !== "1") {
          stopped = true;
          return null;
        }
        return response.text();
      })
      .then(function (html) {
        if (html === null || html === undefined) { return; }
        var current = box.querySelector(".urgent-rows");
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var fresh = holder.querySelector(".urgent-rows");
        if (!fresh || !current) { return; }
        var changed = signature(current.innerHTML) !== signature(fresh.innerHTML);
        current.replaceWith(fresh);
        updateBadge(fresh);
        if (changed && announce) {
          announce.textContent = fresh.querySelector(".urgent-summary span").textContent;
        }
      })
      .catch(function () { /* offline for a moment: try again next time */ })
      .then(schedule);
  }

  function schedule() {
    if (!stopped && timer === null) {
      timer = window.setTimeout(refresh, seconds * 1000);
    }
  }

  ["keydown", "pointerdown", "scroll", "touchstart"].forEach(function (name) {
    window.addEventListener(name, function () {
      var wasIdle = Date.now() - lastActive > idleMs;
      lastActive = Date.now();
      if (wasIdle && timer === null) { refresh(); }
    }, { passive: true });
  });

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && timer !== null) {
      window.clearTimeout(timer);
      timer = null;
      refresh();
    }
  });
  schedule();
})();
