// Delivery dashboard: two stacked bar charts (per day by status, per day by channel) drawn
// with the vendored Chart.js from the JSON that Django's json_script wrote into the page.
(function () {
  "use strict";

  var node = document.getElementById("delivery-chart-data");
  if (!node || typeof window.Chart === "undefined") {
    return;
  }
  var data = JSON.parse(node.textContent);
  var labels = data.labels.map(function (day) { return day.slice(5); });

  function sums(key, value, channel) {
    var counts = labels.map(function () { return 0; });
    data.series.forEach(function (item) {
      if (item[key] !== value || (channel && item.channel !== channel)) {
        return;
      }
      item.counts.forEach(function (count, day) { counts[day] += count; });
    });
    return counts;
  }

  function datasets(kinds, key, channel) {
    return kinds.map(function (kind) {
      return { label: kind.label, data: sums(key, kind.value, channel),
               backgroundColor: kind.colour };
    }).filter(function (set) {
      return set.data.some(function (count) { return count > 0; });
    });
  }

  function draw(canvasId, sets) {
    var canvas = document.getElementById(canvasId);
    return new window.Chart(canvas, {
      type: "bar",
      data: { labels: labels, datasets: sets },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true,
                                             ticks: { precision: 0 } } },
      },
    });
  }

  var byStatus = draw("status-chart", datasets(data.statuses, "status", ""));
  draw("channel-chart", datasets(data.channels, "channel", ""));
  var select = document.getElementById("chart-channel");
  if (select) {
    select.addEventListener("change", function () {
      byStatus.data.datasets = datasets(data.statuses, "status", select.value);
      byStatus.update();
    });
  }
})();
