/* Chart.js plugins of the dashboard's charts: percentages at the bars' ends, the RDS-II
   intervals as error bars, and a white background for the PNG download. */
import { FONT, percentText, reach } from "./dashboard-format.js";

/* Writes each bar's percentage at its end, as the study's figures do. */
export var valueLabels = {
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
export var errorBars = {
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
export var whiteBackground = {
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
