/* A grouped chart's legend as an HTML list under the canvas, for phones: Chart.js draws its
   legend on the canvas in one line per entry and cuts off whatever passes the edge, so a long
   answer ("Оценка для генеральной совокупности (RDS-II)") lost its end at 360 px. The list
   wraps like any text. Colours are set through the CSSOM, which the strict CSP allows. */
import { datasets } from "./dashboard-format.js";

export function htmlLegend(chart, box) {
  var list = document.createElement("ul");
  list.className = "chart-legend";
  list.setAttribute("data-legend-for", chart.id);
  datasets(chart).forEach(function (set) {
    var item = document.createElement("li");
    var swatch = document.createElement("span");
    swatch.className = "chart-legend-swatch";
    swatch.setAttribute("aria-hidden", "true");
    swatch.style.backgroundColor = set.backgroundColor;
    item.appendChild(swatch);
    item.appendChild(document.createTextNode(set.label));
    list.appendChild(item);
  });
  box.insertAdjacentElement("afterend", list);
}
