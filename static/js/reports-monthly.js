// Monthly patrol summary: charts (data from json_script), the "rebuilding…" and
// "building…" waits, print and confirm buttons. No inline script or style (CSP).
(function () {
  "use strict";

  // --- charts -----------------------------------------------------------------
  var data = window.crmChartData("summary-chart-data");
  if (data) {
    var L = data.labels;
    var palette = ["#1f5fa8", "#5fa84f", "#e0a030", "#c0504d"];
    var percentAxis = function (narrow) {
      return { type: "value", name: narrow ? "" : "%", min: 0, max: 100, splitLine: { show: false }, nameTextStyle: { align: "right" } };
    };

    // Tooltips drawn on the canvas (renderMode richText): HTML tooltips would
    // need inline styles, which the Content-Security-Policy forbids.
    var gradeOption = function (narrow) {
      return {
        color: palette,
        animation: false,
        tooltip: { trigger: "axis", renderMode: "richText", valueFormatter: function (v) { return v === null || v === undefined ? "—" : v + "%"; } },
        legend: { top: 0, itemWidth: 14, textStyle: { fontSize: narrow ? 11 : 12 } },
        grid: { left: 8, right: 8, top: 40, bottom: 8, containLabel: true },
        xAxis: { type: "category", data: data.grades },
        yAxis: percentAxis(narrow),
        series: [
          { name: L.visits_percent, type: "bar", data: data.grade_visits_percent, barMaxWidth: 36 },
          { name: L.calls_percent, type: "bar", data: data.grade_calls_percent, barMaxWidth: 36 }
        ]
      };
    };
    var trendOption = function (narrow) {
      return {
        color: palette,
        animation: false,
        tooltip: { trigger: "axis", renderMode: "richText" },
        legend: { top: 0, type: "scroll", itemWidth: 14, textStyle: { fontSize: narrow ? 11 : 12 } },
        grid: { left: 8, right: 8, top: narrow ? 48 : 56, bottom: 8, containLabel: true },
        xAxis: { type: "category", data: data.months, axisLabel: { rotate: narrow ? 45 : 0, fontSize: narrow ? 10 : 12 } },
        yAxis: [
          { type: "value", name: narrow ? "" : L.count, minInterval: 1, nameTextStyle: { align: "left" } },
          percentAxis(narrow)
        ],
        series: [
          { name: L.visits_done, type: "bar", data: data.visits_done, barMaxWidth: 24 },
          { name: L.calls_done, type: "bar", data: data.calls_done, barMaxWidth: 24 },
          { name: L.visits_percent, type: "line", yAxisIndex: 1, data: data.visits_percent, connectNulls: true },
          { name: L.calls_percent, type: "line", yAxisIndex: 1, data: data.calls_percent, connectNulls: true }
        ]
      };
    };
    window.crmCharts([["chart-grades", gradeOption], ["chart-trend", trendOption]]);
  }

  // --- the commentary form's jump button: shown only while the form is off screen ---
  var jump = document.getElementById("commentary-jump");
  var commentary = document.getElementById("commentary");
  if (jump && commentary && "IntersectionObserver" in window) {
    new IntersectionObserver(function (seen) {
      jump.hidden = seen[0].isIntersecting;
    }).observe(commentary);
  }

  // --- print, "show all" and confirm buttons ---------------------------------------
  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target.closest("[data-print], [data-confirm-click], [data-show-rows]") : null;
    if (!target) {
      return;
    }
    if (target.hasAttribute("data-print")) {
      window.print();
    } else if (target.hasAttribute("data-show-rows")) {
      target.closest("section").querySelectorAll(".more-rows-body").forEach(function (body) {
        body.classList.add("is-open");
      });
      target.setAttribute("aria-expanded", "true");
      target.classList.add("d-none");
    } else if (!window.confirm(target.getAttribute("data-confirm-click"))) {
      event.preventDefault();
    }
  });
  // Printed, the report shows every row of every list.
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details.more-rows").forEach(function (d) {
      d.open = true;
    });
  });

  // --- waiting for a build ------------------------------------------------------------
  function poll(url, every, onData) {
    var stopped = false;
    var tick = function () {
      if (stopped) {
        return;
      }
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (json) {
          if (json && onData(json)) {
            stopped = true;
            return;
          }
          window.setTimeout(tick, every);
        })
        .catch(function () { window.setTimeout(tick, every * 2); });
    };
    window.setTimeout(tick, every);
  }

  // "Rebuild now": show the new built_at when the build is done, then reload.
  var rebuilding = document.getElementById("rebuilding");
  if (rebuilding) {
    poll(rebuilding.getAttribute("data-status-url"), 2000, function (json) {
      if (json.building) {
        return false;
      }
      rebuilding.querySelector(".spinner-border").classList.add("d-none");
      rebuilding.querySelector(".rebuilding-text").classList.add("d-none");
      rebuilding.querySelector(".rebuilt-at").textContent = json.built_at;
      rebuilding.querySelector(".rebuilt-text").classList.remove("d-none");
      var builtAt = document.getElementById("built-at");
      if (builtAt) {
        builtAt.textContent = json.built_at;
      }
      window.setTimeout(function () { window.location.reload(); }, 1500);
      return true;
    });
  }

  // "Build this month": open the summary as soon as it exists.
  var wait = document.querySelector("[data-poll-url]");
  if (wait) {
    poll(wait.getAttribute("data-poll-url"), 2000, function (json) {
      if (json.done && json.url) {
        window.location.assign(json.url);
        return true;
      }
      return false;
    });
  }
})();
