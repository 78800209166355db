/* Live progress on the campaign form: while the campaign is sending, polls the admin's progress
   view every 2 s and updates the counts and the bar. Plain fetch, no library. */
(function () {
  "use strict";

  function start() {
    var box = document.getElementById("campaign-progress");
    if (!box || !box.dataset.active || !window.fetch) {
      return;
    }
    var bar = box.querySelector("progress");

    function show(data) {
      box.querySelectorAll("[data-field]").forEach(function (node) {
        var value = data[node.dataset.field];
        if (value !== undefined) {
          node.textContent = value;
        }
      });
      bar.value = data.percent;
      return data.status === "sending";
    }

    function poll() {
      window.fetch(box.dataset.url, { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (data && show(data)) {
            window.setTimeout(poll, 2000);
          }
        })
        .catch(function () { window.setTimeout(poll, 10000); });
    }

    window.setTimeout(poll, 2000);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
