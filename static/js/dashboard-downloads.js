/* Per-chart downloads: a PNG redrawn off screen at a print size, and the SVG drawn from the data. */
import { boxHeight, config } from "./dashboard-config.js";
import { FONT, meta, notes, wrap } from "./dashboard-format.js";
import { svgFor } from "./dashboard-svg.js";

/* The PNG download is laid out at this width (CSS pixels) and drawn at PRINT_SCALE times it:
   2,000 pixels wide, about 17 cm at 300 dpi, whatever the screen it was asked from. */
var PRINT_WIDTH = 1000;
var PRINT_SCALE = 2;

/* Draws a chart off screen at the print width and scale, and hands its Chart to done. */
function printCanvas(chart, done) {
  var holder = document.createElement("div");
  holder.setAttribute("aria-hidden", "true");
  holder.style.position = "fixed";
  holder.style.left = "-20000px";
  holder.style.top = "0";
  holder.style.width = PRINT_WIDTH + "px";
  holder.style.height = boxHeight(chart, false) + "px";
  var canvas = document.createElement("canvas");
  holder.appendChild(canvas);
  document.body.appendChild(holder);
  var printed = new window.Chart(canvas, config(chart, false, {
    devicePixelRatio: PRINT_SCALE,
    responsive: true
  }));
  try {
    done(printed);
  } finally {
    printed.destroy();
    holder.remove();
  }
}

function slug(text) {
  return String(text).toLowerCase().replace(/[^a-z0-9_-]+/g, "-").replace(/^-+|-+$/g, "");
}

function fileName(chart, extension) {
  return slug((meta.survey || "survey") + "-" + chart.code) + "." + extension;
}

function save(href, name) {
  var link = document.createElement("a");
  link.href = href;
  link.download = name;
  document.body.appendChild(link);
  link.click();
  link.remove();
}

/* The PNG: the title and base above the chart redrawn at the print size, on white. */
export function pngFor(chart) {
  var url = "";
  printCanvas(chart, function (printed) {
    var source = printed.canvas;
    var scale = source.width / printed.width;
    var titleLines = wrap(chart.title, Math.floor(printed.width / 9));
    var lines = notes(chart);
    var head = (titleLines.length * 22 + lines.length * 18 + 16) * scale;
    var out = document.createElement("canvas");
    out.width = source.width;
    out.height = source.height + head;
    var ctx = out.getContext("2d");
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, out.width, out.height);
    ctx.fillStyle = "#111";
    ctx.font = "bold " + 16 * scale + "px " + FONT;
    ctx.textBaseline = "top";
    titleLines.forEach(function (line, i) {
      ctx.fillText(line, 8 * scale, (8 + i * 22) * scale);
    });
    ctx.font = 13 * scale + "px " + FONT;
    ctx.fillStyle = "#555";
    lines.forEach(function (line, i) {
      ctx.fillText(line, 8 * scale, (10 + titleLines.length * 22 + i * 18) * scale);
    });
    ctx.drawImage(source, 0, head);
    url = out.toDataURL("image/png");
  });
  return url;
}

export function downloadPng(chart) {
  save(pngFor(chart), fileName(chart, "png"));
}

export function downloadSvg(chart) {
  var text = '<?xml version="1.0" encoding="UTF-8"?>\n' +
    new XMLSerializer().serializeToString(svgFor(chart));
  var url = URL.createObjectURL(new Blob([text], { type: "image/svg+xml;charset=utf-8" }));
  save(url, fileName(chart, "svg"));
  window.setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
}
