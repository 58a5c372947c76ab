/* Convergence (line per answer option), bottleneck (bars per seed tree) and SS-by-population-
   size plots of one question's RDS estimates; each seed's tree is labelled with its n. Data comes from a json_script element (no inline script). */
(function () {
  "use strict";

  var element = document.getElementById("rds-diagnostics");
  if (!element || !window.Chart) {
    return;
  }
  var data = JSON.parse(element.textContent);
  var PALETTE = ["#1f5fa8", "#f0a33a", "#6b8f47", "#c8553d", "#8d6cab", "#4f9bd9", "#7a7a7a",
                 "#b5838d", "#2a9d8f", "#e9c46a", "#264653", "#9cc8ec", "#e76f51", "#588157"];
  var codes = Object.keys(data.labels);

  function percent(share) {
    return share === undefined || share === null ? null : Math.round(share * 1000) / 10;
  }

  function convergence(canvasId, points, axisTitle) {
    var canvas = document.getElementById(canvasId);
    if (!canvas || !points.length) {
      return;
    }
    new window.Chart(canvas, {
      type: "line",
      data: {
        labels: points.map(function (p) { return p.position; }),
        datasets: codes.map(function (code, i) {
          return {
            label: data.labels[code],
            data: points.map(function (p) { return percent(p.shares[code]); }),
            borderColor: PALETTE[i % PALETTE.length],
            backgroundColor: PALETTE[i % PALETTE.length],
            pointRadius: points.length > 60 ? 0 : 2,
            borderWidth: 2,
            tension: 0
          };
        })
      },
      options: {
        maintainAspectRatio: false,
        animation: false,
        scales: {
          x: { title: { display: true, text: axisTitle }, ticks: { maxTicksLimit: 12 } },
          y: { title: { display: true, text: data.text.share }, beginAtZero: true }
        },
        plugins: { legend: { position: "bottom" } }
      }
    });
  }

  function bottleneck() {
    var canvas = document.getElementById("bottleneck");
    var sizes = data.bottleneck_n || {};
    /* Largest trees first, each labelled with its n: a tree of one respondent and a tree of a
       hundred draw bars of the same length, and only the n tells them apart. */
    var seeds = Object.keys(data.bottleneck).sort(function (a, b) {
      return (sizes[b] || 0) - (sizes[a] || 0);
    });
    if (!canvas || !seeds.length) {
      return;
    }
    function withN(seed) {
      return seed in sizes ? seed + " (" + data.text.n.replace("%(n)s", sizes[seed]) + ")" : seed;
    }
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: seeds.map(withN),
        datasets: codes.map(function (code, i) {
          return {
            label: data.labels[code],
            data: seeds.map(function (seed) { return percent(data.bottleneck[seed][code]); }),
            backgroundColor: PALETTE[i % PALETTE.length]
          };
        })
      },
      options: {
        indexAxis: "y",
        maintainAspectRatio: false,
        animation: false,
        scales: {
          /* Single choice: each tree's shares add up to 100 %, so they stack. */
          x: { stacked: data.single, max: data.single ? 100 : undefined,
               title: { display: true, text: data.text.share } },
          y: { stacked: data.single, title: { display: true, text: data.text.seed } }
        },
        plugins: { legend: { position: "bottom" } }
      }
    });
  }

  convergence("convergence-wave", data.wave, data.text.wave);
  /* The SS share of each option (y) against the population size N (x). */
  convergence("ss-size", (data.ss_by_size || []).map(function (p) {
    return { position: p.population_size, shares: p.shares };
  }), data.text.population_size);
  convergence("convergence-order", data.order, data.text.order);
  bottleneck();
}());
