/* The insights dashboard: one ECharts chart per card, from the data the page embeds
   (#photodesk-insights-data). Every bar and point carries the URL of its image list; a click
   opens it. */
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("photodesk-insights-data").textContent);
  const charts = [];

  function chart(name, option) {
    const el = document.querySelector('[data-chart="' + name + '"]');
    if (!el) return;
    const instance = echarts.init(el);
    instance.setOption(Object.assign({ animation: false, tooltip: { trigger: "item" } }, option));
    instance.on("click", function (params) {
      const url = params.data && params.data.url;
      if (url) window.location.href = url;
    });
    // Follow the card's width (the sidebar opening or closing, a narrower window).
    new ResizeObserver(() => instance.resize()).observe(el);
    el.dataset.ready = "true";
    charts.push(instance);
  }

  function empty(name, rows) {
    if (rows.length) return false;
    const el = document.querySelector('[data-chart="' + name + '"]');
    if (el) {
      el.style.height = "auto";
      el.textContent = "Nothing in this range.";
      el.dataset.ready = "true";
    }
    return true;
  }

  // A horizontal bar chart, largest on top; `rows` [{name, value, url}].
  function bars(name, rows, color) {
    if (empty(name, rows)) return;
    rows = rows.slice().reverse();
    // A bar per row, each readable: the chart grows with its rows.
    document.querySelector('[data-chart="' + name + '"]').style.height = Math.max(160, 40 + 20 * rows.length) + "px";
    chart(name, {
      grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: rows.map((r) => r.name), axisLabel: { width: 140, overflow: "truncate" } },
      series: [{
        type: "bar", cursor: "pointer", itemStyle: { color: color },
        label: { show: true, position: "right" },
        data: rows.map((r) => ({ value: r.value, url: r.url })),
      }],
    });
  }

  const stateColors = { pending: "#a0a0a0", running: "#4a90d9", done: "#3c9b5a", failed: "#c0392b" };
  chart("states", {
    grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
    xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", data: data.states.states.map((r) => r.state).reverse() },
    series: [{
      type: "bar", cursor: "pointer", label: { show: true, position: "right" },
      data: data.states.states.slice().reverse().map((r) => ({
        value: r.images, url: r.url, itemStyle: { color: stateColors[r.state] },
      })),
    }],
  });

  if (!empty("ingest", data.ingest)) {
    chart("ingest", {
      tooltip: { trigger: "axis" },
      grid: { left: 8, right: 16, top: 16, bottom: 48, containLabel: true },
      xAxis: { type: "category", data: data.ingest.map((r) => r.day) },
      yAxis: { type: "value", minInterval: 1 },
      dataZoom: [{ type: "inside" }, { type: "slider", height: 18, bottom: 8 }],
      series: [{
        type: "bar", name: "images", cursor: "pointer", itemStyle: { color: "#417690" },
        data: data.ingest.map((r) => ({ value: r.images, url: r.url })),
      }],
    });
  }

  bars("labels", data.labels.slice(0, data.bar_labels).map((r) => ({ name: r.label, value: r.images, url: r.url })), "#417690");
  bars("backlog", data.backlog.map((r) => ({ name: r.label, value: r.images, url: r.url })), "#d98c1f");
  bars("people", data.people.map((r) => ({ name: r.person, value: r.images, url: r.url })), "#7a5195");

  const overTime = data.over_time;
  if (!empty("over_time", overTime.weeks)) {
    chart("over_time", {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0 },
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: overTime.weeks.map((w) => "week of " + w) },
      yAxis: { type: "value", minInterval: 1 },
      series: overTime.series.map((s) => ({
        type: "bar", stack: "labels", name: s.label, cursor: "pointer",
        emphasis: { focus: "series" },
        data: s.images.map((n, i) => ({ value: n, url: s.urls[i] })),
      })),
    });
  }

  // The tag cloud: font size by how many images have the label (square-root scale).
  const words = document.querySelectorAll(".photodesk-cloud a");
  const counts = Array.from(words, (a) => Number(a.dataset.images));
  const most = Math.max(1, ...counts);
  words.forEach((a) => {
    const share = Math.sqrt(Number(a.dataset.images) / most);
    a.style.fontSize = (0.8 + 1.6 * share).toFixed(2) + "rem";
    a.style.opacity = (0.6 + 0.4 * share).toFixed(2);
  });

  document.body.dataset.insightsReady = "true";
})();
