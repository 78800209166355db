// Vendor dashboard overview: draws the orders and sales charts with the vendored Chart.js.
// The data comes from <script type="application/json"> blocks written by Django's json_script.
(function () {
  "use strict";

  function readJson(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function draw(canvasId, labels, values, caption, colour) {
    var canvas = document.getElementById(canvasId);
    if (!canvas) {
      return null;
    }
    return new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: labels,
        datasets: [{ label: caption, data: values, backgroundColor: colour }],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: false } },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
  }

  var data = readJson("chart-data");
  if (!data || typeof window.Chart === "undefined") {
    return;
  }
  var labels = data.labels.map(function (day) { return day.slice(5); });
  draw("orders-chart", labels, data.orders, readJson("chart-orders-caption"), "#0d6efd");
  draw("sales-chart", labels, data.sales, readJson("chart-sales-caption"), "#198754");
})();
