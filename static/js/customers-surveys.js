// Service-level survey figures: two charts from json_script data (no inline
// script or style: CSP). Tooltips are drawn on the canvas (richText).
(function () {
  "use strict";
  var data = window.crmChartData("survey-chart-data");
  if (!data) {
    return;
  }
  var palette = ["#c0504d", "#e0a030", "#1f5fa8", "#5fa84f", "#7b5ea8", "#2a9d8f", "#8c6d31", "#d16ba5", "#4a6fa5"];
  var fmt = function (v) { return v === null || v === undefined ? "—" : Number(v).toFixed(2); };

  var itemsOption = function (narrow) {
    return {
      animation: false,
      tooltip: { trigger: "axis", renderMode: "richText", valueFormatter: fmt },
      grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", min: 1, max: 7, interval: 1 },
      // Weakest first, at the top.
      yAxis: { type: "category", inverse: true, data: data.items, axisLabel: { fontSize: narrow ? 10 : 12, width: narrow ? 90 : 140, overflow: "truncate" } },
      series: [{
        name: data.labels.average,
        type: "bar",
        barMaxWidth: 22,
        data: data.averages.map(function (v) {
          return { value: v, itemStyle: { color: v !== null && v < 5 ? "#c0504d" : "#1f5fa8" } };
        }),
        label: { show: true, position: "right", formatter: function (p) { return fmt(p.value); }, fontSize: 11 }
      }]
    };
  };
  var monthsOption = function (narrow) {
    var series = data.series.map(function (s) {
      return { name: s.name, type: "line", data: s.data, connectNulls: true, symbolSize: 5 };
    });
    series.push({ name: data.labels.overall, type: "line", data: data.overall, connectNulls: true, lineStyle: { width: 4, color: "#222" }, itemStyle: { color: "#222" } });
    return {
      color: palette,
      animation: false,
      tooltip: { trigger: "axis", renderMode: "richText", valueFormatter: fmt },
      legend: { top: 0, type: "scroll", itemWidth: 14, textStyle: { fontSize: narrow ? 10 : 12 } },
      grid: { left: 8, right: 8, top: narrow ? 40 : 48, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.months, axisLabel: { rotate: narrow ? 45 : 0, fontSize: narrow ? 10 : 12 } },
      yAxis: { type: "value", min: 1, max: 7, interval: 1 },
      series: series
    };
  };
  window.crmCharts([["chart-survey-items", itemsOption], ["chart-survey-months", monthsOption]]);
})();
