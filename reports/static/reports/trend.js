/* The dashboard's trend chart: completion against the expected line over the year.
   Data comes from <script type="application/json" id="trend-data"> (Django's json_script),
   so no inline code is needed (CSP script-src 'self'). Redrawn after htmx swaps the body.
   The canvas has a class, not an id, on purpose: htmx "settles" elements whose id survives
   a swap by copying their old style attribute onto the new one, which the CSP blocks. */
(function () {
  "use strict";
  var chart = null;

  function draw() {
    var data = document.getElementById("trend-data");
    var canvas = document.querySelector("canvas.trend-chart");
    if (chart) { chart.destroy(); chart = null; }
    if (!data || !canvas || typeof Chart === "undefined") { return; }
    var trend = JSON.parse(data.textContent);
    var locale = document.documentElement.lang || "vi";
    var percent = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });
    chart = new Chart(canvas, {
      type: "line",
      data: {
        labels: trend.labels,
        datasets: [
          { label: trend.doneLabel, data: trend.done, borderColor: "#1d6f42",
            backgroundColor: "#1d6f42", pointRadius: 0, tension: 0.1, spanGaps: true },
          { label: trend.expectedLabel, data: trend.expected, borderColor: "#b45309",
            backgroundColor: "#b45309", borderDash: [6, 4], pointRadius: 0, spanGaps: true }
        ]
      },
      options: {
        locale: locale,
        animation: false,
        aspectRatio: 3,
        interaction: { mode: "index", intersect: false },
        scales: {
          y: { min: 0, max: 100, ticks: { callback: function (v) { return v + "%"; } } },
          x: { ticks: { maxTicksLimit: 12 } }
        },
        plugins: {
          tooltip: { callbacks: { label: function (ctx) {
            return ctx.dataset.label + ": " + percent.format(ctx.parsed.y) + "%";
          } } }
        }
      }
    });
  }

  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSettle", draw);
})();
