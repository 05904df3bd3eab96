// Turnover against target by month: bars of actual, a line of target, from
// json_script data (no inline script: CSP).
(function () {
  "use strict";
  var data = window.crmChartData("revenue-gap-data");
  if (!data) {
    return;
  }
  var option = function (narrow) {
    return {
      animation: false,
      tooltip: { trigger: "axis", renderMode: "richText" },
      legend: { top: 0 },
      grid: { left: 8, right: 8, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.months, axisLabel: { rotate: narrow ? 45 : 0 } },
      yAxis: { type: "value" },
      series: [
        { name: data.labels.actual, type: "bar", data: data.actual, itemStyle: { color: "#1f5fa8" } },
        { name: data.labels.target, type: "line", data: data.target, connectNulls: false, itemStyle: { color: "#c0504d" } }
      ]
    };
  };
  window.crmCharts([["chart-revenue-gap", option]]);
})();
