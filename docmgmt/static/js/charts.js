// Xã Số: the figures pages' charts (ECharts, SVG renderer) and their period form.
//
// The page embeds its charts' data as JSON (<script type="application/json" id="chart-data">,
// built by docmgmt/reports/controllers.py); each element marked data-chart="<name>" gets the
// chart of that name. Every bar, point and gauge keeps the link of the figure it shows: a click
// opens the list of documents behind it, as the number in the table beside it does. The tables
// carry every figure, so the page reads without this script.
(function () {
  "use strict";

  // Numbers as the tables write them (docmgmt/reports/controllers.py format_number): 1.234,5 and 98,2 %.
  const numbers = new Intl.NumberFormat("vi-VN", {maximumFractionDigits: 1});
  function formatNumber(value) {
    return value === null || value === undefined || Number.isNaN(value) ? "—" : numbers.format(value);
  }
  function formatPercent(rate) {
    return rate === null || rate === undefined ? "—" : numbers.format(rate * 100) + " %";
  }
  window.xaso = window.xaso || {};
  window.xaso.formatNumber = formatNumber;
  window.xaso.formatPercent = formatPercent;

  // The period form: only the field of the chosen kind (month, quarter, year, custom dates).
  document.querySelectorAll("[data-period-form]").forEach(function (form) {
    const kind = form.querySelector("[data-period-kind]");
    if (!kind) { return; }
    function show() {
      form.querySelectorAll("[data-period-part]").forEach(function (part) {
        part.hidden = part.dataset.periodPart !== kind.value;
      });
    }
    kind.addEventListener("change", show);
    show();
  });

  // The share bars of the paperless page (a width through the CSSOM: the CSP forbids style="").
  document.querySelectorAll("[data-share]").forEach(function (bar) {
    bar.style.width = Math.max(0, Math.min(100, parseFloat(bar.dataset.share) * 100)) + "%";
  });

  const source = document.getElementById("chart-data");
  if (!source || !window.echarts) { return; }
  const specs = JSON.parse(source.textContent);

  // One colour per kind of figure, on every chart and in every legend.
  const COLORS = {
    received: "#0d6efd", issued: "#198754", in_flow: "#6f42c1",
    on_time: "#198754", late: "#fd7e14", no_deadline: "#adb5bd",
    open_in_time: "#0dcaf0", open_overdue: "#dc3545",
    electronic: "#198754", paper: "#dc3545", share: "#0d6efd", projection: "#6c757d",
    incoming: "#0d6efd", outgoing: "#198754", meetings: "#6f42c1",
  };
  const TEXT = "#212529";
  const MUTED = "#6c757d";

  function tooltip(trigger) {
    // Drawn inside the chart (richText), not as HTML with inline styles the CSP refuses.
    return {trigger: trigger, renderMode: "richText", confine: true, valueFormatter: formatNumber};
  }

  function barOption(spec) {
    const category = {
      type: "category", data: spec.categories,
      axisLabel: {color: TEXT, hideOverlap: true, width: spec.horizontal ? 150 : 90, overflow: "truncate"},
      axisTick: {alignWithLabel: true},
    };
    const value = {type: "value", minInterval: 1, axisLabel: {color: MUTED, formatter: formatNumber}};
    const several = spec.series.length > 1;
    return {
      animationDuration: 300,
      tooltip: Object.assign(tooltip("axis"), {axisPointer: {type: "shadow"}}),
      legend: several ? {top: 0, type: "scroll", textStyle: {color: TEXT}} : {show: false},
      grid: {left: 8, right: 24, top: several ? 40 : 12, bottom: 8, containLabel: true},
      xAxis: spec.horizontal ? value : category,
      yAxis: spec.horizontal ? Object.assign(category, {inverse: true}) : value,
      series: spec.series.map(function (s) {
        return {
          type: "bar", name: s.name, data: s.data, stack: spec.stacked ? "total" : undefined,
          itemStyle: {color: COLORS[s.key]}, barMaxWidth: 40, cursor: "pointer",
          label: {show: !spec.stacked, position: spec.horizontal ? "right" : "top", color: TEXT,
                  formatter: function (p) { return p.value ? formatNumber(p.value) : ""; }},
          emphasis: {focus: "series"},
        };
      }),
    };
  }

  function gaugeOption(spec) {
    const rate = spec.value;
    const color = rate === null ? MUTED : rate >= 0.9 ? COLORS.on_time : rate >= 0.7 ? COLORS.late : COLORS.open_overdue;
    return {
      animationDuration: 300,
      series: [{
        type: "gauge", min: 0, max: 100, startAngle: 200, endAngle: -20, radius: "95%", center: ["50%", "60%"],
        progress: {show: true, width: 16, itemStyle: {color: color}},
        axisLine: {lineStyle: {width: 16, color: [[1, "#e9ecef"]]}},
        pointer: {show: false}, axisTick: {show: false}, splitLine: {show: false},
        axisLabel: {show: false}, title: {show: false}, cursor: "pointer",
        detail: {offsetCenter: [0, "-5%"], fontSize: 24, fontWeight: "bold", color: TEXT,
                 formatter: function () { return formatPercent(rate); }},
        data: [{value: rate === null ? 0 : rate * 100, name: spec.name, link: spec.link}],
      }],
    };
  }

  // A share over time (0…1 per week), the target date marked, the projection dashed.
  function lineOption(spec) {
    const series = spec.series.map(function (s) {
      return {
        type: "line", name: s.name, data: s.data.map(function (p) { return {value: [p.date, p.value * 100], link: p.link}; }),
        itemStyle: {color: COLORS[s.key]}, lineStyle: {type: s.key === "projection" ? "dashed" : "solid", width: 2},
        symbolSize: s.key === "projection" ? 0 : 7, cursor: "pointer", connectNulls: true,
      };
    });
    if (spec.target && series.length) {
      series[0].markLine = {
        symbol: "none", silent: true, lineStyle: {color: COLORS.open_overdue, type: "dashed"},
        label: {formatter: spec.target.label, color: COLORS.open_overdue, position: "insideEndTop"},
        data: [{xAxis: spec.target.date}, {yAxis: 100, label: {formatter: "100 %", position: "insideStartTop"}}],
      };
    }
    return {
      animationDuration: 300,
      tooltip: Object.assign(tooltip("axis"), {valueFormatter: function (v) { return formatPercent(v / 100); }}),
      legend: series.length > 1 ? {top: 0, textStyle: {color: TEXT}} : {show: false},
      grid: {left: 8, right: 32, top: series.length > 1 ? 40 : 16, bottom: 8, containLabel: true},
      xAxis: {
        type: "time", min: spec.start, max: spec.end,
        axisLabel: {color: MUTED, hideOverlap: true, formatter: function (v) {
          const d = new Date(v);
          return String(d.getDate()).padStart(2, "0") + "/" + String(d.getMonth() + 1).padStart(2, "0");
        }},
      },
      yAxis: {type: "value", min: 0, max: 100, axisLabel: {color: MUTED, formatter: function (v) { return formatNumber(v) + " %"; }}},
      series: series,
    };
  }

  const BUILDERS = {bar: barOption, gauge: gaugeOption, line: lineOption};
  const charts = [];
  document.querySelectorAll("[data-chart]").forEach(function (el) {
    const spec = specs[el.dataset.chart];
    const build = spec && BUILDERS[spec.type];
    if (!build) { return; }
    const chart = window.echarts.init(el, null, {renderer: "svg"});
    chart.on("finished", function () { el.dataset.drawn = "1"; });
    chart.setOption(build(spec));
    chart.on("click", function (params) {
      const link = params.data && params.data.link;
      if (link) { window.location.assign(link); }
    });
    charts.push(chart);
    if (window.ResizeObserver) {
      new ResizeObserver(function () { chart.resize(); }).observe(el);
    }
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
