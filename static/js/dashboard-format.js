/* What every part of the dashboard's charts shares: the page's settings (from a json_script
   element), fonts, colours, label wrapping, percentages and the datasets drawn from the data. */

export var metaElement = document.getElementById("dashboard-meta");
export var meta = metaElement ? JSON.parse(metaElement.textContent) : {};

/* Raw share beside its RDS-II estimate: two blues, one thing measured two ways. */
var PALETTE = ["#1f5fa8", "#4f9bd9", "#9cc8ec", "#f0a33a", "#c8553d", "#6b8f47", "#8d6cab", "#7a7a7a"];
export var BAR = "#1f5fa8";
export var FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', Arial, sans-serif";

export function narrow() {
  return window.matchMedia("(max-width: 576px)").matches;
}

/* The colour of a grouped chart's i-th series: a crosstab's answers bring their own from the
   server (a colour-blind-safe palette), the raw/RDS-II pair takes two blues. */
export function colour(chart, index) {
  var series = chart.series && chart.series[index];
  if (series && series.colour) {
    return series.colour;
  }
  return PALETTE[index % PALETTE.length];
}

/* The end of a bar or of its error bar, whichever reaches further, in data units. */
export function reach(dataset, i) {
  var interval = dataset.intervals && dataset.intervals[i];
  return Math.max(dataset.data[i] || 0, interval ? interval[1] : 0);
}

/* Split a long label into lines so that it fits beside the bars. */
export function wrap(text, width) {
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
export var DECIMAL = meta.decimalSeparator || ".";

export function percentText(value) {
  return (Math.round(value * 10) / 10).toFixed(1).replace(".", DECIMAL) + "\u00a0%";
}

export function datasets(chart) {
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

/* The notes printed under a chart's title in its downloads: the base, then what the marks mean. */
export function notes(chart) {
  return [chart.subtitle]
    .concat(chart.intervalNote ? [chart.intervalNote] : [])
    .concat(chart.smallBaseNote ? [chart.smallBaseNote] : []);
}
