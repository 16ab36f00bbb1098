// The reports page's charts (templates/reports/overview.html): each <canvas data-chart="name"> draws
// charts[name] from the page's <script id="report-charts" type="application/json"> (json_script), with
// Chart.js (static/vendor/chartjs, loaded on this page only). Every chart's numbers are in a table next to it.
"use strict";

(() => {
  const source = document.getElementById("report-charts");
  if (!source || typeof window.Chart === "undefined") {
    return;
  }
  const Chart = window.Chart;
  const charts = JSON.parse(source.textContent);
  const lang = document.documentElement.lang || "ko";
  const exact = new Intl.NumberFormat(lang, { maximumFractionDigits: 1 });
  const compact = new Intl.NumberFormat(lang, { notation: "compact", maximumFractionDigits: 1 });
  const phone = window.matchMedia("(max-width: 576px)");
  // The site's green first, then colours told apart also by people who do not see red and green apart.
  const COLORS = ["#017a50", "#d9822b", "#3b6ea8", "#8a5a9e", "#b3261e", "#5f6b73", "#c9a227", "#2a9d8f"];
  const TEXT = "#373c44";
  const GRID = "#e3e8eb";

  const written = (unit, value) => {
    const template = charts.formats[unit] || "%(amount)s";
    return template.replace("%(amount)s", exact.format(value));
  };
  const tick = (unit, value) => (unit === "won" ? compact.format(value) : written(unit, value));
  // Long room and organization names are wrapped on the axis, in two lines at most (the tooltip and the table give
  // them whole): a phone has room for about 12 characters beside its bars.
  const wrapped = (label) => {
    const width = phone.matches ? 12 : 24;
    if (label.length <= width) {
      return label;
    }
    const lines = [];
    let rest = label;
    while (rest && lines.length < 2) {
      let end = rest.length <= width ? rest.length : rest.lastIndexOf(" ", width);
      if (end <= 0) {
        end = width; // one long word (a Korean name has no spaces): cut it
      }
      lines.push(rest.slice(0, end).trim());
      rest = rest.slice(end).trim();
    }
    if (rest) {
      lines[1] = `${lines[1].slice(0, width - 1)}…`;
    }
    return lines;
  };

  // 7.4 → 10, 23 → 25, 64 → 70: a round end for a percentage axis.
  const niceCeiling = (value) => {
    const step = value <= 10 ? 2 : value <= 30 ? 5 : 10;
    return Math.max(step, Math.ceil(value / step) * step);
  };

  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.color = TEXT;
  Chart.defaults.font.size = 13;
  // Figures, not a show: drawn at once (and the same in print and in screenshots).
  Chart.defaults.animation = false;

  const barConfig = (data) => {
    const horizontal = Boolean(data.horizontal);
    const valueAxis = horizontal ? "x" : "y";
    const labelAxis = horizontal ? "y" : "x";
    return {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: data.datasets.map((dataset, index) => ({
          label: dataset.label,
          data: dataset.data,
          backgroundColor: COLORS[index % COLORS.length],
          borderRadius: 3,
          maxBarThickness: 28,
        })),
      },
      options: {
        indexAxis: labelAxis,
        responsive: true,
        maintainAspectRatio: false,
        scales: {
          [valueAxis]: {
            beginAtZero: true,
            // Shares are drawn to the largest one (a hall at 8 % would be a row of slivers against 100 %), never past 100.
            max: data.unit === "percent" ? Math.min(100, niceCeiling(Math.max(...data.datasets[0].data))) : undefined,
            grid: { color: GRID },
            ticks: {
              callback: (value) => tick(data.unit, value),
              maxTicksLimit: phone.matches ? 5 : 8,
              precision: data.unit === "won" ? 0 : undefined,
            },
          },
          [labelAxis]: {
            grid: { display: false },
            ticks: {
              autoSkip: !horizontal,
              maxRotation: phone.matches ? 60 : 0,
              callback(value) {
                const label = this.getLabelForValue(value);
                return horizontal ? wrapped(label) : label;
              },
            },
          },
        },
        plugins: {
          legend: { display: data.datasets.length > 1, position: "bottom" },
          tooltip: {
            callbacks: {
              title: (items) => {
                const index = items[0].dataIndex;
                const group = data.groups ? data.groups[index] : "";
                return group ? `${data.labels[index]} (${group})` : data.labels[index];
              },
              label: (item) => `${item.dataset.label}: ${written(data.unit, item.parsed[valueAxis])}`,
            },
          },
        },
      },
    };
  };

  const doughnutConfig = (data) => ({
    type: "doughnut",
    data: {
      labels: data.labels,
      datasets: data.datasets.map((dataset) => ({
        label: dataset.label,
        data: dataset.data,
        backgroundColor: data.labels.map((_label, index) => COLORS[index % COLORS.length]),
        borderColor: "#fff",
      })),
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      plugins: {
        legend: { position: "bottom" },
        tooltip: { callbacks: { label: (item) => `${item.label}: ${written(data.unit, item.parsed)}` } },
      },
    },
  });

  document.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
    const data = charts[canvas.dataset.chart];
    if (!data || !data.labels.length) {
      return;
    }
    new Chart(canvas, data.type === "doughnut" ? doughnutConfig(data) : barConfig(data));
  });

  // Axis labels are wrapped for the window's width: draw again when a phone turns or a window narrows.
  phone.addEventListener("change", () => {
    document.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
      const chart = Chart.getChart(canvas);
      if (chart) {
        chart.update();
      }
    });
  });
})();
