/* Live progress of contact export runs: every second, while a run shown on the page is queued or
   running, GET the admin's progress endpoint (?ids=...) and update its bar, text, status and
   counts. Plain fetch, no library. When every run has ended the page reloads once, so the
   budget panel shows the new numbers. */
(function () {
  "use strict";

  var COUNTS = ["uploaded", "uploaded_new", "skipped_unchanged", "held_back", "failed",
                "deleted", "unlisted"];

  function activeIds() {
    var ids = [];
    document.querySelectorAll(".export-progress[data-active='1']").forEach(function (node) {
      ids.push(node.dataset.run);
    });
    return ids;
  }

  function rowOf(node) {
    return node.closest("tr");
  }

  function update(id, run) {
    document.querySelectorAll(".export-progress[data-run='" + id + "']").forEach(function (node) {
      node.querySelector("progress").value = run.percent;
      node.querySelector(".export-progress-text").textContent =
        run.processed + " / " + run.total + " (" + run.percent + " %)";
      node.dataset.active = run.active ? "1" : "0";
      var row = rowOf(node);
      if (row) {
        COUNTS.forEach(function (name) {
          var cell = row.querySelector(".field-" + name);
          if (cell) {
            cell.textContent = run[name];
          }
        });
      }
    });
    document.querySelectorAll(".export-status[data-run='" + id + "']").forEach(function (node) {
      node.textContent = run.status_label;
    });
  }

  function poll(root) {
    var ids = activeIds();
    if (!ids.length) {
      return;
    }
    fetch(root.dataset.url + "?ids=" + ids.join(","), {
      credentials: "same-origin", headers: {"Accept": "application/json"}
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (body) {
      var ended = false;
      Object.keys((body && body.runs) || {}).forEach(function (id) {
        update(id, body.runs[id]);
        ended = ended || !body.runs[id].active;
      });
      if (ended && !activeIds().length) {
        window.location.reload();
        return;
      }
      window.setTimeout(function () { poll(root); }, 1000);
    }).catch(function () {
      window.setTimeout(function () { poll(root); }, 5000);
    });
  }

  function start() {
    var root = document.getElementById("export-progress-root");
    if (root && window.fetch) {
      window.setTimeout(function () { poll(root); }, 1000);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
