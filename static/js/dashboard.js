/* The analysts' dashboard: horizontal bar charts (Chart.js) with percentages and base n, the
   RDS-II estimates' 95 % intervals as error bars, and per-chart downloads as PNG (redrawn at a
   print size) or SVG (drawn here from the same data).
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
  /* Raw share beside its RDS-II estimate: two blues, one thing measured two ways. */
  var PALETTE = ["#1f5fa8", "#4f9bd9", "#9cc8ec", "#f0a33a", "#c8553d", "#6b8f47", "#8d6cab", "#7a7a7a"];
  /* A crosstab's answers (up to 16 of them) need colours that no two of them share: hues and
     lightness chosen so that every pair differs by a CIE76 colour difference above 20. */
  var CATEGORICAL = ["#1f5fa8", "#e8710a", "#2e8b3a", "#c0392b", "#7b4fa0", "#8c564b", "#e377c2",
                     "#7f7f7f", "#b5a300", "#17becf", "#0b2f5b", "#f4b400", "#9edae5", "#5b1a2e",
                     "#a5d46a", "#f7a9a8"];
  /* The PNG download is laid out at this width (CSS pixels) and drawn at PRINT_SCALE times it:
     2,000 pixels wide, about 17 cm at 300 dpi, whatever the screen it was asked from. */
  var PRINT_WIDTH = 1000;
  var PRINT_SCALE = 2;
  var BAR = "#1f5fa8";
  var FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', Arial, sans-serif";

  function narrow() {
    return window.matchMedia("(max-width: 576px)").matches;
  }

  /* The colour of a grouped chart's i-th series. */
  function colour(chart, index) {
    if (chart.palette === "categorical") {
      if (index < CATEGORICAL.length) {
        return CATEGORICAL[index];
      }
      return "hsl(" + Math.round((index * 137.508) % 360) + ", 55%, " + (index % 2 ? 35 : 60) + "%)";
    }
    return PALETTE[index % PALETTE.length];
  }

  /* The end of a bar or of its error bar, whichever reaches further, in data units. */
  function reach(dataset, i) {
    var interval = dataset.intervals && dataset.intervals[i];
    return Math.max(dataset.data[i] || 0, interval ? interval[1] : 0);
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

  /* Shares as the page's language writes them, like the tables beside the charts: «12,5 %» in
     Kazakh and Russian, "12.5 %" in English, with a no-break space before the sign. The decimal
     mark comes from the server: browsers' Kazakh number data is patchy. */
  var DECIMAL = meta.decimalSeparator || ".";

  function percentText(value) {
    return (Math.round(value * 10) / 10).toFixed(1).replace(".", DECIMAL) + "\u00a0%";
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
          var x = Math.max(bar.x, chart.scales.x.getPixelForValue(reach(dataset, i)));
          ctx.fillText(percentText(dataset.data[i]), x + 4, bar.y);
        });
      });
      ctx.restore();
    }
  };

  /* Draws each RDS-II bar's 95 % interval as a horizontal error bar with end caps. */
  var errorBars = {
    id: "errorBars",
    afterDatasetsDraw: function (chart) {
      var ctx = chart.ctx;
      var scale = chart.scales.x;
      ctx.save();
      ctx.strokeStyle = "#1b1b1b";
      ctx.lineWidth = 1.5;
      chart.data.datasets.forEach(function (dataset, index) {
        var bars = chart.getDatasetMeta(index);
        if (bars.hidden || !dataset.intervals) {
          return;
        }
        bars.data.forEach(function (bar, i) {
          var interval = dataset.intervals[i];
          if (!interval) {
            return;
          }
          var low = scale.getPixelForValue(interval[0]);
          var high = scale.getPixelForValue(interval[1]);
          var cap = Math.min(bar.height * 0.35, 6);
          ctx.beginPath();
          ctx.moveTo(low, bar.y);
          ctx.lineTo(high, bar.y);
          ctx.moveTo(low, bar.y - cap);
          ctx.lineTo(low, bar.y + cap);
          ctx.moveTo(high, bar.y - cap);
          ctx.lineTo(high, bar.y + cap);
          ctx.stroke();
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
          intervals: series.intervals || null,
          backgroundColor: colour(chart, index)
        };
      });
    }
    return [{ label: chart.subtitle, data: chart.percents, backgroundColor: BAR }];
  }

  function boxHeight(chart, compact) {
    var width = compact ? 18 : 34;
    var lines = chart.labels.reduce(function (sum, label) {
      return sum + wrap(label, width).length;
    }, 0);
    var perBar = chart.type === "grouped" ? chart.series.length * 14 + 10 : 30;
    var legend = chart.type === "grouped" ? 30 * Math.ceil(chart.series.length / (compact ? 2 : 4)) : 0;
    return Math.max(lines * 15, chart.labels.length * perBar) + 50 + legend;
  }

  /* The Chart.js configuration of a chart, laid out for a phone (compact) or a wider box. */
  function config(chart, compact, extra) {
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

  function draw(chart) {
    var canvas = document.getElementById(chart.id);
    var box = document.querySelector('[data-chart-box="' + chart.id + '"]');
    if (!canvas || !box) {
      return;
    }
    box.style.height = boxHeight(chart, narrow()) + "px";
    drawn[chart.id] = new window.Chart(canvas, config(chart, narrow()));
  }

  /* Draws a chart off screen at the print width and scale, and returns its canvas. */
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
  function pngFor(chart) {
    var url = "";
    printCanvas(chart, function (printed) {
      var source = printed.canvas;
      var scale = source.width / printed.width;
      var titleLines = wrap(chart.title, Math.floor(printed.width / 9));
      var notes = [chart.subtitle].concat(chart.intervalNote ? [chart.intervalNote] : []);
      var head = (titleLines.length * 22 + notes.length * 18 + 16) * scale;
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
      notes.forEach(function (line, i) {
        ctx.fillText(line, 8 * scale, (10 + titleLines.length * 22 + i * 18) * scale);
      });
      ctx.drawImage(source, 0, head);
      url = out.toDataURL("image/png");
    });
    return url;
  }

  function downloadPng(chart) {
    save(pngFor(chart), fileName(chart, "png"));
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
    var y = 14 + titleLines.length * 20 + 26 + (chart.intervalNote ? 18 : 0);
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
    if (chart.intervalNote) {
      svg.appendChild(node("text", { x: 10, y: 42 + titleLines.length * 20, fill: "#555" }, chart.intervalNote));
    }
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
        var interval = set.intervals && set.intervals[index];
        if (interval) {
          var middle = top + barHeight / 2;
          var cap = Math.min(barHeight * 0.35, 6);
          var low = labelWidth + interval[0] * scale;
          var high = labelWidth + interval[1] * scale;
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
          x: labelWidth + reach(set, index) * scale + 4,
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

  window.scoDashboard = { svgFor: svgFor, pngFor: pngFor, charts: byId, drawn: drawn };
})();
