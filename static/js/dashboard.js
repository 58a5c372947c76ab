/* The analysts' dashboard: horizontal bar charts (Chart.js) with percentages and base n,
   and per-chart downloads as PNG (the canvas) or SVG (drawn here from the same data).
   Data comes from json_script elements; no inline script (the site's CSP forbids it). */
(function () {
  "use strict";

  var chartsElement = document.getElementById("dashboard-charts");
  var metaElement = document.getElementById("dashboard-meta");
  if (!chartsElement || !window.Chart) {
    return;
  }
  var charts = JSON.parse(chartsElement.textContent);
  var meta = metaElement ? JSON.parse(metaElement.textContent) : {};
  var byId = {};
  var drawn = {};
  var PALETTE = ["#1f5fa8", "#4f9bd9", "#9cc8ec", "#f0a33a", "#c8553d", "#6b8f47", "#8d6cab", "#7a7a7a"];
  var BAR = "#1f5fa8";
  var FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', Arial, sans-serif";

  function narrow() {
    return window.matchMedia("(max-width: 576px)").matches;
  }

  /* Split a long label into lines so that it fits beside the bars. */
  function wrap(text, width) {
    var words = String(text).split(/\s+/);
    var lines = [];
    var line = "";
    words.forEach(function (word) {
      if (line && (line + " " + word).length > width) {
        lines.push(line);
        line = word;
      } else {
        line = line ? line + " " + word : word;
      }
    });
    if (line) {
      lines.push(line);
    }
    return lines;
  }

  function percentText(value) {
    return (Math.round(value * 10) / 10).toFixed(1) + " %";
  }

  /* Writes each bar's percentage at its end, as the study's figures do. */
  var valueLabels = {
    id: "valueLabels",
    afterDatasetsDraw: function (chart) {
      var ctx = chart.ctx;
      ctx.save();
      ctx.font = "12px " + FONT;
      ctx.fillStyle = "#222";
      ctx.textBaseline = "middle";
      chart.data.datasets.forEach(function (dataset, index) {
        var bars = chart.getDatasetMeta(index);
        if (bars.hidden) {
          return;
        }
        bars.data.forEach(function (bar, i) {
          ctx.fillText(percentText(dataset.data[i]), bar.x + 4, bar.y);
        });
      });
      ctx.restore();
    }
  };

  /* A white background, so that the downloaded PNG is not transparent. */
  var whiteBackground = {
    id: "whiteBackground",
    beforeDraw: function (chart) {
      var ctx = chart.ctx;
      ctx.save();
      ctx.globalCompositeOperation = "destination-over";
      ctx.fillStyle = "#ffffff";
      ctx.fillRect(0, 0, chart.width, chart.height);
      ctx.restore();
    }
  };

  function datasets(chart) {
    if (chart.type === "grouped") {
      return chart.series.map(function (series, index) {
        return {
          label: series.label,
          data: series.percents,
          backgroundColor: PALETTE[index % PALETTE.length]
        };
      });
    }
    return [{ label: chart.subtitle, data: chart.percents, backgroundColor: BAR }];
  }

  function boxHeight(chart) {
    var width = narrow() ? 18 : 34;
    var lines = chart.labels.reduce(function (sum, label) {
      return sum + wrap(label, width).length;
    }, 0);
    var perBar = chart.type === "grouped" ? chart.series.length * 14 + 10 : 30;
    var legend = chart.type === "grouped" ? 30 * Math.ceil(chart.series.length / (narrow() ? 2 : 4)) : 0;
    return Math.max(lines * 15, chart.labels.length * perBar) + 50 + legend;
  }

  function draw(chart) {
    var canvas = document.getElementById(chart.id);
    var box = document.querySelector('[data-chart-box="' + chart.id + '"]');
    if (!canvas || !box) {
      return;
    }
    box.style.height = boxHeight(chart) + "px";
    var width = narrow() ? 18 : 34;
    var top = Math.max.apply(null, datasets(chart).map(function (d) {
      return Math.max.apply(null, d.data.concat([0]));
    }));
    drawn[chart.id] = new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: chart.labels.map(function (label) { return wrap(label, width); }),
        datasets: datasets(chart)
      },
      options: {
        indexAxis: "y",
        maintainAspectRatio: false,
        animation: false,
        layout: { padding: { right: 52 } },
        scales: {
          x: {
            min: 0,
            max: Math.min(100, Math.ceil((top + 5) / (narrow() ? 20 : 10)) * (narrow() ? 20 : 10)),
            ticks: {
              stepSize: narrow() ? 20 : 10,
              callback: function (value) { return value + " %"; }
            },
            title: { display: !narrow(), text: meta.percentAxis || "%" }
          },
          y: { ticks: { autoSkip: false, font: { size: narrow() ? 11 : 12 } } }
        },
        plugins: {
          legend: { display: chart.type === "grouped", position: "bottom" },
          tooltip: {
            callbacks: {
              label: function (item) {
                var text = percentText(item.raw);
                if (chart.counts) {
                  text += " (" + chart.counts[item.dataIndex] + ")";
                }
                return (chart.type === "grouped" ? item.dataset.label + ": " : "") + text;
              }
            }
          }
        }
      },
      plugins: [valueLabels, whiteBackground]
    });
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

  /* The PNG: the title and base above the chart's own canvas, on white. */
  function downloadPng(chart) {
    var drawnChart = drawn[chart.id];
    if (!drawnChart) {
      return;
    }
    var source = drawnChart.canvas;
    var scale = source.width / drawnChart.width;
    var titleLines = wrap(chart.title, Math.max(40, Math.floor(drawnChart.width / 8)));
    var head = (titleLines.length * 20 + 30) * scale;
    var out = document.createElement("canvas");
    out.width = source.width;
    out.height = source.height + head;
    var ctx = out.getContext("2d");
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, out.width, out.height);
    ctx.fillStyle = "#111";
    ctx.font = "bold " + 15 * scale + "px " + FONT;
    ctx.textBaseline = "top";
    titleLines.forEach(function (line, i) {
      ctx.fillText(line, 8 * scale, (6 + i * 20) * scale);
    });
    ctx.font = 12 * scale + "px " + FONT;
    ctx.fillStyle = "#555";
    ctx.fillText(chart.subtitle, 8 * scale, (8 + titleLines.length * 20) * scale);
    ctx.drawImage(source, 0, head);
    save(out.toDataURL("image/png"), fileName(chart, "png"));
  }

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

  /* The SVG: the same bars, drawn as vector shapes with real text. */
  function svgFor(chart) {
    var sets = datasets(chart);
    var width = 860;
    var labelWidth = 300;
    var barWidth = 460;
    var line = 15;
    var barHeight = chart.type === "grouped" ? 12 : 20;
    var gap = 12;
    var titleLines = wrap(chart.title, 95);
    var y = 14 + titleLines.length * 20 + 26;
    var rows = chart.labels.map(function (label) {
      var lines = wrap(label, 42);
      var height = Math.max(lines.length * line, sets.length * barHeight);
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
    titleLines.forEach(function (text, i) {
      svg.appendChild(node("text", { x: 10, y: 24 + i * 20, "font-size": "15", "font-weight": "bold", fill: "#111" }, text));
    });
    svg.appendChild(node("text", { x: 10, y: 24 + titleLines.length * 20, fill: "#555" }, chart.subtitle));
    var scale = barWidth / 100;
    rows.forEach(function (row, index) {
      row.lines.forEach(function (text, i) {
        svg.appendChild(node("text", {
          x: labelWidth - 8,
          y: row.top + row.height / 2 - (row.lines.length * line) / 2 + line * (i + 0.75),
          "text-anchor": "end",
          fill: "#222"
        }, text));
      });
      sets.forEach(function (set, s) {
        var value = set.data[index] || 0;
        var top = row.top + (row.height - sets.length * barHeight) / 2 + s * barHeight;
        svg.appendChild(node("rect", {
          x: labelWidth,
          y: top + 1,
          width: Math.max(value * scale, 0.5),
          height: barHeight - 2,
          fill: set.backgroundColor
        }));
        svg.appendChild(node("text", {
          x: labelWidth + value * scale + 4,
          y: top + barHeight / 2 + 4,
          fill: "#222",
          "font-size": chart.type === "grouped" ? "10" : "12"
        }, percentText(value)));
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

  function downloadSvg(chart) {
    var text = '<?xml version="1.0" encoding="UTF-8"?>\n' +
      new XMLSerializer().serializeToString(svgFor(chart));
    var url = URL.createObjectURL(new Blob([text], { type: "image/svg+xml;charset=utf-8" }));
    save(url, fileName(chart, "svg"));
    window.setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
  }

  charts.forEach(function (chart) {
    byId[chart.id] = chart;
    draw(chart);
  });

  document.addEventListener("click", function (event) {
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
  });

  window.scoDashboard = { svgFor: svgFor, charts: byId };
})();
