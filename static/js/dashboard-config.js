/* The Chart.js configuration of a dashboard chart, on screen or at the print size. */
import { DECIMAL, datasets, meta, percentText, reach, wrap } from "./dashboard-format.js";
import { errorBars, valueLabels, whiteBackground } from "./dashboard-plugins.js";

/* The height of a chart's box; legend false when its legend is not drawn on the canvas. */
export function boxHeight(chart, compact, legend) {
  var width = compact ? 18 : 34;
  var lines = chart.labels.reduce(function (sum, label) {
    return sum + wrap(label, width).length;
  }, 0);
  var perBar = chart.type === "grouped" ? chart.series.length * 14 + 10 : 30;
  var legendHeight = chart.type === "grouped" && legend !== false
    ? 30 * Math.ceil(chart.series.length / (compact ? 2 : 4))
    : 0;
  return Math.max(lines * 15, chart.labels.length * perBar) + 50 + legendHeight;
}

/* The Chart.js configuration of a chart, laid out for a phone (compact) or a wider box. */
export function config(chart, compact, extra) {
  var width = compact ? 18 : 34;
  var sets = datasets(chart);
  var top = Math.max.apply(null, sets.map(function (d) {
    return Math.max.apply(null, d.data.map(function (value, i) { return reach(d, i); }).concat([0]));
  }));
  var step = compact ? 20 : 10;
  var options = {
    type: "bar",
    data: {
      labels: chart.labels.map(function (label) { return wrap(label, width); }),
      datasets: sets
    },
    options: {
      indexAxis: "y",
      maintainAspectRatio: false,
      animation: false,
      layout: { padding: { right: 52 } },
      scales: {
        x: {
          min: 0,
          max: Math.min(100, Math.ceil((top + 5) / step) * step),
          ticks: {
            stepSize: step,
            callback: function (value) { return String(value).replace(".", DECIMAL) + "\u00a0%"; }
          },
          title: { display: !compact, text: meta.percentAxis || "%" }
        },
        y: { ticks: { autoSkip: false, font: { size: compact ? 11 : 12 } } }
      },
      plugins: {
        legend: { display: chart.type === "grouped", position: "bottom" },
        tooltip: {
          callbacks: {
            label: function (item) {
              var text = percentText(item.raw);
              var interval = item.dataset.intervals && item.dataset.intervals[item.dataIndex];
              if (interval) {
                text += " [" + percentText(interval[0]) + " – " + percentText(interval[1]) + "]";
              } else if (chart.counts && item.datasetIndex === 0) {
                text += " (" + chart.counts[item.dataIndex] + ")";
              }
              return (chart.type === "grouped" ? item.dataset.label + ": " : "") + text;
            }
          }
        }
      }
    },
    plugins: [errorBars, valueLabels, whiteBackground]
  };
  Object.keys(extra || {}).forEach(function (key) {
    options.options[key] = extra[key];
  });
  return options;
}
