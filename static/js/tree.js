// The recruitment tree: pan and zoom the server-drawn SVG with d3-zoom; tap a node for details.
(function () {
  "use strict";
  var svgElement = document.getElementById("recruitment-tree");
  if (!svgElement || typeof d3 === "undefined") {
    return;
  }
  var svg = d3.select(svgElement);
  var viewport = svg.select("g.tree-viewport");
  var circles = svgElement.querySelectorAll("circle.tree-node");
  var baseRadius = circles.length ? Number(circles[0].getAttribute("r")) : 6;

  // Keep nodes visible when thousands are shown at once, and life-size when zoomed in.
  function resizeNodes(scale) {
    var box = svgElement.getBoundingClientRect();
    var view = svgElement.viewBox.baseVal;
    var pixelsPerUnit = scale * Math.min(box.width / view.width, box.height / view.height);
    if (!pixelsPerUnit) {
      return;
    }
    var onScreen = Math.min(Math.max(baseRadius * pixelsPerUnit, 2.5), 8);
    var radius = (onScreen / pixelsPerUnit).toFixed(3);
    circles.forEach(function (circle) { circle.setAttribute("r", radius); });
    svgElement.classList.toggle("tree-overview", baseRadius * pixelsPerUnit < 4);
  }

  var zoom = d3.zoom()
    .scaleExtent([0.5, Number(svgElement.dataset.maxZoom) || 40])
    .on("zoom", function (event) {
      viewport.attr("transform", event.transform);
    })
    .on("end", function (event) {
      resizeNodes(event.transform.k);
    });
  svg.call(zoom);
  resizeNodes(1);

  document.querySelectorAll("[data-zoom]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var action = button.dataset.zoom;
      if (action === "fit") {
        svg.transition().duration(200).call(zoom.transform, d3.zoomIdentity);
      } else {
        svg.transition().duration(200).call(zoom.scaleBy, action === "in" ? 2 : 0.5);
      }
    });
  });

  var info = document.getElementById("tree-info");
  var selected = null;
  svgElement.addEventListener("click", function (event) {
    var node = event.target.closest(".tree-node, .tree-root");
    if (!node || !info) {
      return;
    }
    if (selected) {
      selected.classList.remove("selected");
    }
    selected = node;
    node.classList.add("selected");
    var title = node.querySelector("title");
    info.textContent = title ? title.textContent : "";
  });
}());
