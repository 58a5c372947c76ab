/* The SVG download of a chart: the same bars as on screen, drawn as vector shapes with real text. */
import { FONT, datasets, notes, percentText, reach, wrap } from "./dashboard-format.js";

var SVG_NS = "http://www.w3.org/2000/svg";

function node(name, attributes, text) {
  var element = document.createElementNS(SVG_NS, name);
  Object.keys(attributes).forEach(function (key) {
    element.setAttribute(key, attributes[key]);
  });
  if (text !== undefined) {
    element.textContent = text;
  }
  return element;
}

/* The title and the notes under it; returns the y of the line below them. */
function heading(svg, chart, titleLines) {
  titleLines.forEach(function (text, i) {
    svg.appendChild(node("text", { x: 10, y: 24 + i * 20, "font-size": "15", "font-weight": "bold", fill: "#111" }, text));
  });
  notes(chart).forEach(function (text, i) {
    svg.appendChild(node("text", { x: 10, y: 24 + titleLines.length * 20 + i * 18, fill: "#555" }, text));
  });
}

/* One bar, its error bar if it has one, and its percentage. */
function bar(svg, chart, set, index, top, geometry) {
  var value = set.data[index] || 0;
  var scale = geometry.scale;
  var left = geometry.labelWidth;
  var barHeight = geometry.barHeight;
  svg.appendChild(node("rect", {
    x: left,
    y: top + 1,
    width: Math.max(value * scale, 0.5),
    height: barHeight - 2,
    fill: set.backgroundColor
  }));
  var interval = set.intervals && set.intervals[index];
  if (interval) {
    var middle = top + barHeight / 2;
    var cap = Math.min(barHeight * 0.35, 6);
    var low = left + interval[0] * scale;
    var high = left + interval[1] * scale;
    svg.appendChild(node("path", {
      d: "M" + low + " " + middle + "H" + high +
        "M" + low + " " + (middle - cap) + "V" + (middle + cap) +
        "M" + high + " " + (middle - cap) + "V" + (middle + cap),
      stroke: "#1b1b1b",
      "stroke-width": "1.5",
      fill: "none",
      "class": "error-bar"
    }));
  }
  svg.appendChild(node("text", {
    x: left + reach(set, index) * scale + 4,
    y: top + barHeight / 2 + 4,
    fill: "#222",
    "font-size": chart.type === "grouped" ? "10" : "12"
  }, percentText(value)));
}

export function svgFor(chart) {
  var sets = datasets(chart);
  var width = 860;
  var line = 15;
  var gap = 12;
  var geometry = { labelWidth: 300, barHeight: chart.type === "grouped" ? 12 : 20, scale: 460 / 100 };
  var titleLines = wrap(chart.title, 95);
  var y = 14 + titleLines.length * 20 + 8 + notes(chart).length * 18;
  var rows = chart.labels.map(function (label) {
    var lines = wrap(label, 42);
    var height = Math.max(lines.length * line, sets.length * geometry.barHeight);
    var row = { lines: lines, top: y, height: height };
    y += height + gap;
    return row;
  });
  var legendTop = y + 6;
  var height = legendTop + (chart.type === "grouped" ? Math.ceil(sets.length / 3) * 20 + 10 : 0) + 10;
  var svg = node("svg", {
    xmlns: SVG_NS,
    width: width,
    height: height,
    viewBox: "0 0 " + width + " " + height,
    "font-family": FONT,
    "font-size": "12"
  });
  svg.appendChild(node("rect", { x: 0, y: 0, width: width, height: height, fill: "#ffffff" }));
  heading(svg, chart, titleLines);
  rows.forEach(function (row, index) {
    row.lines.forEach(function (text, i) {
      svg.appendChild(node("text", {
        x: geometry.labelWidth - 8,
        y: row.top + row.height / 2 - (row.lines.length * line) / 2 + line * (i + 0.75),
        "text-anchor": "end",
        fill: "#222"
      }, text));
    });
    sets.forEach(function (set, s) {
      var top = row.top + (row.height - sets.length * geometry.barHeight) / 2 + s * geometry.barHeight;
      bar(svg, chart, set, index, top, geometry);
    });
  });
  if (chart.type === "grouped") {
    sets.forEach(function (set, s) {
      var x = 10 + (s % 3) * 280;
      var top = legendTop + Math.floor(s / 3) * 20;
      svg.appendChild(node("rect", { x: x, y: top, width: 12, height: 12, fill: set.backgroundColor }));
      svg.appendChild(node("text", { x: x + 18, y: top + 10, fill: "#222" }, set.label));
    });
  }
  return svg;
}
