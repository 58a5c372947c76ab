/* The analysts' dashboard (an ES module, the entry of dashboard-*.js): horizontal bar charts
   (Chart.js) with percentages and base n, the RDS-II estimates' 95 % intervals as error bars,
   and per-chart downloads as PNG (redrawn at a print size) or SVG (drawn from the same data).
   Data comes from json_script elements; no inline script (the site's CSP forbids it). */
import { boxHeight, config } from "./dashboard-config.js";
import { downloadPng, downloadSvg, pngFor } from "./dashboard-downloads.js";
import { narrow } from "./dashboard-format.js";
import { htmlLegend } from "./dashboard-legend.js";
import { svgFor } from "./dashboard-svg.js";

var chartsElement = document.getElementById("dashboard-charts");
var byId = {};
var drawn = {};

function draw(chart) {
  var canvas = document.getElementById(chart.id);
  var box = document.querySelector('[data-chart-box="' + chart.id + '"]');
  if (!canvas || !box) {
    return;
  }
  var compact = narrow();
  var settings = config(chart, compact);
  /* On a phone a grouped chart's legend is a list under it, which wraps instead of clipping. */
  var listed = compact && chart.type === "grouped";
  if (listed) {
    settings.options.plugins.legend.display = false;
    htmlLegend(chart, box);
  }
  box.style.height = boxHeight(chart, compact, !listed) + "px";
  drawn[chart.id] = new window.Chart(canvas, settings);
}

function onClick(event) {
  var button = event.target.closest("[data-download]");
  if (!button) {
    return;
  }
  var chart = byId[button.getAttribute("data-chart")];
  if (!chart) {
    return;
  }
  if (button.getAttribute("data-download") === "png") {
    downloadPng(chart);
  } else {
    downloadSvg(chart);
  }
}

if (chartsElement && window.Chart) {
  JSON.parse(chartsElement.textContent).forEach(function (chart) {
    byId[chart.id] = chart;
    draw(chart);
  });
  document.addEventListener("click", onClick);
  window.scoDashboard = { svgFor: svgFor, pngFor: pngFor, charts: byId, drawn: drawn };
}
