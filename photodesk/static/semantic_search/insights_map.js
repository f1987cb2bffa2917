/* The map of the archive: an ECharts scatter of the points the page embeds
   (#photodesk-map-data: [x, y, image id, label index, title, labels]), one series per top
   label. Hover shows the thumbnail, title and labels; a click opens the image; scroll and
   drag zoom and pan (dataZoom); the brush (rectangle or lasso) lists the region's images. */
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("photodesk-map-data").textContent);
  const urls = JSON.parse(document.getElementById("photodesk-map-urls").textContent);
  const el = document.querySelector("[data-map]");
  const MAX_SERIES = 12; // more labels than colours tell apart: the rest are "other"

  const thumbnail = (id) => urls.thumbnail.replace(/\/0\/$/, "/" + id + "/");
  const imageUrl = (id) => urls.image.replace(/\/0\/(change\/)?$/, "/" + id + "/$1");
  const esc = (text) => String(text).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]));

  const groups = new Map();
  data.points.forEach((p) => {
    const name = p[3] < MAX_SERIES ? (data.labels[p[3]] || "no label") : "other";
    if (!groups.has(name)) groups.set(name, []);
    groups.get(name).push(p);
  });
  // Named labels by how many points they colour, then the unlabelled and the rest.
  const rank = (name) => (name === "other" ? 1e9 : name === "no label" ? 1e9 - 1 : data.labels.indexOf(name));
  const size = data.points.length > 20000 ? 4 : data.points.length > 2000 ? 6 : 12;
  const series = Array.from(groups)
    .sort((a, b) => rank(a[0]) - rank(b[0]))
    .map(([name, points]) => ({
      type: "scatter", name: name, data: points, symbolSize: size, cursor: "pointer",
      large: points.length > 5000, largeThreshold: 5000,
      itemStyle: { opacity: 0.85, borderColor: "#fff", borderWidth: size > 6 ? 1 : 0 },
    }));

  const chart = echarts.init(el);
  chart.setOption({
    animation: false,
    legend: { type: "scroll", bottom: 0, left: 8, right: 8 },
    grid: { left: 8, right: 8, top: 36, bottom: 36 },
    xAxis: { type: "value", show: false, scale: true },
    yAxis: { type: "value", show: false, scale: true },
    dataZoom: [
      { type: "inside", xAxisIndex: 0, filterMode: "none" },
      { type: "inside", yAxisIndex: 0, filterMode: "none" },
    ],
    toolbox: { right: 8, top: 0, feature: { brush: { type: ["polygon", "rect", "clear"] }, restore: {} } },
    brush: { toolbox: ["polygon", "rect", "clear"], xAxisIndex: 0, throttleType: "debounce", throttleDelay: 200 },
    tooltip: {
      trigger: "item",
      className: "photodesk-map-tip",
      formatter: (params) => {
        const p = params.data;
        return '<img src="' + thumbnail(p[2]) + '" alt="">' + "<strong>" + esc(p[4] || "Image " + p[2]) + "</strong><br>" + esc((p[5] || []).join(", ") || "no labels");
      },
    },
    series: series,
  });
  chart.on("click", (params) => { if (params.data) window.location.href = imageUrl(params.data[2]); });

  const list = document.querySelector("[data-selection]");
  const count = document.querySelector("[data-selection-count]");
  chart.on("brushSelected", (params) => {
    const picked = [];
    params.batch[0].selected.forEach((sel) => {
      const points = series[sel.seriesIndex].data;
      sel.dataIndex.forEach((i) => picked.push(points[i]));
    });
    count.textContent = picked.length + " image" + (picked.length === 1 ? "" : "s") + " selected" + (picked.length > 200 ? " (the first 200 listed)" : "");
    list.innerHTML = picked.slice(0, 200).map((p) =>
      '<li><img src="' + thumbnail(p[2]) + '" alt="" loading="lazy"><a href="' + imageUrl(p[2]) + '">' + esc(p[4] || "Image " + p[2]) + "</a></li>").join("");
  });
  new ResizeObserver(() => chart.resize()).observe(el);
  el.dataset.ready = "true";
  window.photodeskMap = chart;
})();
