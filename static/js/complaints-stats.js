// Complaint figures: draws the charts from the JSON the page carries (json_script).
(function () {
  "use strict";
  var data = window.crmChartData("complaint-chart-data");
  if (!data) {
    return;
  }
  var L = data.labels;
  var palette = ["#1f5fa8", "#5fa84f", "#e0a030", "#c0504d", "#7a5fa8", "#3aa6b9", "#8c8c8c", "#d17aa0"];

  // Tooltips drawn on the canvas (renderMode richText): HTML tooltips would
  // need inline styles, which the Content-Security-Policy forbids.
  function monthlyOption(narrow) {
    return {
      color: palette,
      tooltip: { trigger: "axis", renderMode: "richText" },
      legend: { top: 0, type: "scroll", itemWidth: 14, textStyle: { fontSize: narrow ? 11 : 12 } },
      grid: { left: 8, right: 8, top: narrow ? 56 : 64, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.months },
      yAxis: [
        { type: "value", name: narrow ? "" : L.count, minInterval: 1 },
        { type: "value", name: narrow ? "" : L.rate, min: 0, max: 100, splitLine: { show: false } }
      ],
      series: [
        { name: L.received, type: "bar", data: data.received },
        { name: L.resolved, type: "bar", data: data.resolved },
        { name: L.resolution_rate, type: "line", yAxisIndex: 1, data: data.resolution_rate, connectNulls: true },
        { name: L.on_time_rate, type: "line", yAxisIndex: 1, data: data.on_time_rate, connectNulls: true },
        { name: L.satisfaction_rate, type: "line", yAxisIndex: 1, data: data.satisfaction_rate, connectNulls: true }
      ]
    };
  }

  function categoryOption() {
    return {
      color: palette,
      tooltip: { trigger: "item", renderMode: "richText" },
      legend: { bottom: 0, type: "scroll" },
      series: [
        {
          name: L.count,
          type: "pie",
          radius: ["38%", "68%"],
          center: ["50%", "45%"],
          data: data.categories,
          label: { show: false }
        }
      ]
    };
  }

  window.crmCharts([["chart-monthly", monthlyOption], ["chart-categories", categoryOption]]);
})();
