// Complaint figures: draws the charts from the JSON the page carries (json_script).
(function () {
  "use strict";
  var source = document.getElementById("complaint-chart-data");
  if (!source || typeof echarts === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var L = data.labels;
  var palette = ["#1f5fa8", "#5fa84f", "#e0a030", "#c0504d", "#7a5fa8", "#3aa6b9", "#8c8c8c", "#d17aa0"];
  var charts = [];

  // Tooltips drawn on the canvas (renderMode richText): HTML tooltips would need
  // inline styles, which the Content-Security-Policy forbids.
  var tooltip = { trigger: "axis", renderMode: "richText" };

  var monthlyEl = document.getElementById("chart-monthly");
  if (monthlyEl) {
    var monthly = echarts.init(monthlyEl, null, { renderer: "canvas" });
    monthly.setOption({
      color: palette,
      tooltip: tooltip,
      legend: { top: 0, type: "scroll" },
      grid: { left: 40, right: 40, top: 40, bottom: 30, containLabel: true },
      xAxis: { type: "category", data: data.months },
      yAxis: [
        { type: "value", name: L.count, minInterval: 1 },
        { type: "value", name: L.rate, min: 0, max: 100, splitLine: { show: false } }
      ],
      series: [
        { name: L.received, type: "bar", data: data.received },
        { name: L.resolved, type: "bar", data: data.resolved },
        { name: L.resolution_rate, type: "line", yAxisIndex: 1, data: data.resolution_rate, connectNulls: true },
        { name: L.on_time_rate, type: "line", yAxisIndex: 1, data: data.on_time_rate, connectNulls: true },
        { name: L.satisfaction_rate, type: "line", yAxisIndex: 1, data: data.satisfaction_rate, connectNulls: true }
      ]
    });
    charts.push(monthly);
  }

  var categoriesEl = document.getElementById("chart-categories");
  if (categoriesEl) {
    var categories = echarts.init(categoriesEl, null, { renderer: "canvas" });
    categories.setOption({
      color: palette,
      tooltip: { trigger: "item", renderMode: "richText" },
      series: [
        {
          name: L.count,
          type: "pie",
          radius: ["35%", "65%"],
          data: data.categories,
          label: { formatter: "{b}: {c}" }
        }
      ]
    });
    charts.push(categories);
  }

  window.addEventListener("resize", function () {
    charts.forEach(function (chart) {
      chart.resize();
    });
  });
})();
