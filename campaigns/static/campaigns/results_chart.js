/* Campaign results chart: our counts and Sendsay's statistics as one bar chart, drawn with the
   vendored Chart.js from the <script type="application/json" id="campaign-results-data"> block
   that Django's json_script writes. No inline script, no CDN. */
(function () {
  "use strict";

  function readJson(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  var data = readJson("campaign-results-data");
  var canvas = document.getElementById("campaign-results-chart");
  if (!data || !canvas || typeof window.Chart === "undefined") {
    return;
  }
  var labels = data.ours.labels.concat(data.sendsay.labels);
  var ours = data.ours.values.concat(data.sendsay.values.map(function () { return null; }));
  var theirs = data.ours.values.map(function () { return null; }).concat(data.sendsay.values);
  var datasets = [{ label: canvas.dataset.ours || "Our side", data: ours, backgroundColor: "#0d6efd" }];
  if (data.sendsay.values.length) {
    datasets.push({ label: canvas.dataset.sendsay || "Sendsay", data: theirs, backgroundColor: "#198754" });
  }
  new window.Chart(canvas, {
    type: "bar",
    data: { labels: labels, datasets: datasets },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      skipNull: true,
      scales: { x: { stacked: true }, y: { beginAtZero: true, ticks: { precision: 0 } } },
    },
  });
})();
