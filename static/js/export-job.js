// Polls a background export and shows its progress; reveals the download when ready.
(function () {
  "use strict";
  var box = document.getElementById("export-job");
  if (!box) { return; }
  var bar = document.getElementById("export-bar");
  var state = document.getElementById("export-state");
  var link = document.getElementById("export-download");
  function show(data) {
    var pct = Math.max(0, Math.min(100, data.percent));
    bar.style.width = pct + "%";
    bar.textContent = pct + "%";
    bar.parentElement.setAttribute("aria-valuenow", String(pct));
    state.textContent = data.done + " / " + data.total;
    if (data.state === "done") {
      bar.classList.remove("progress-bar-animated");
      link.classList.remove("d-none");
      return true;
    }
    if (data.state === "failed") { window.location.reload(); return true; }
    return false;
  }
  function poll() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) { if (!show(data)) { setTimeout(poll, 1500); } })
      .catch(function () { setTimeout(poll, 5000); });
  }
  if (box.dataset.state !== "done" && box.dataset.state !== "failed") { poll(); }
})();
