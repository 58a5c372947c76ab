// The monitor's chart: completed responses per day, and their running total.
(function () {
  "use strict";
  var source = document.getElementById("daily-data");
  var canvas = document.getElementById("daily-chart");
  if (!source || !canvas || typeof Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  // A window's running total starts from the responses before its first day.
  var running = data.before || 0;
  var cumulative = data.counts.map(function (count) {
    running += count;
    return running;
  });
  new Chart(canvas, {
    data: {
      labels: data.labels,
      datasets: [
        {
          type: "bar", label: data.label, data: data.counts, backgroundColor: "#4e79a7",
          maxBarThickness: 48, yAxisID: "y"
        },
        {
          type: "line", label: data.cumulative_label, data: cumulative, borderColor: "#f28e2b",
          backgroundColor: "#f28e2b", pointRadius: 2, tension: 0.2, yAxisID: "total"
        }
      ]
    },
    options: {
      maintainAspectRatio: false,
      animation: false,
      interaction: { mode: "index", intersect: false },
      scales: {
        x: { ticks: { maxRotation: 0, autoSkip: true, maxTicksLimit: 8 } },
        y: { beginAtZero: true, ticks: { precision: 0 }, position: "left" },
        total: { beginAtZero: true, ticks: { precision: 0 }, position: "right", grid: { drawOnChartArea: false } }
      },
      plugins: { legend: { position: "bottom" } }
    }
  });
}());
