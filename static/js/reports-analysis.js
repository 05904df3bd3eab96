// Customer analysis: two stacked bar charts from the json_script data.
// No inline script or style (CSP); tooltips drawn on the canvas (richText).
(function () {
  "use strict";
  var data = window.crmChartData("analysis-chart-data");
  if (!data) {
    return;
  }
  var palette = ["#1f5fa8", "#5fa84f", "#e0a030", "#c0504d", "#7a5fa8", "#4fa8a0", "#8c8c8c"];
  var stacked = function (categories, names, values, unit) {
    return function (narrow) {
      return {
        color: palette,
        animation: false,
        tooltip: { trigger: "axis", renderMode: "richText" },
        legend: { top: 0, type: "scroll", itemWidth: 14, textStyle: { fontSize: narrow ? 11 : 12 } },
        grid: { left: 8, right: 8, top: narrow ? 48 : 40, bottom: 8, containLabel: true },
        xAxis: { type: "category", data: categories, axisLabel: { rotate: narrow ? 45 : 0, fontSize: narrow ? 10 : 12, interval: 0 } },
        yAxis: { type: "value", name: narrow ? "" : unit, minInterval: unit === data.labels.customers ? 1 : 0 },
        series: names.map(function (name, i) {
          return { name: name, type: "bar", stack: "total", data: values[i], barMaxWidth: 36 };
        })
      };
    };
  };
  window.crmCharts([
    ["chart-regions", stacked(data.regions, data.natures, data.by_nature, data.labels.customers)],
    ["chart-revenue", stacked(data.units, data.grades, data.revenue, data.labels.revenue)]
  ]);
})();
