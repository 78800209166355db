/* Live member count on the segment form: POSTs the unsaved form to the admin's count view
   (with the CSRF token) whenever a rule changes and shows the answer. Plain fetch, no library. */
(function () {
  "use strict";

  function start() {
    var box = document.getElementById("segment-live-count");
    var form = document.getElementById("segment_form");
    if (!box || !form || !window.fetch) {
      return;
    }
    var value = box.querySelector(".segment-count-value");
    var note = box.querySelector(".segment-count-note");
    var timer = null;
    var latest = 0;

    function csrfToken() {
      var field = form.querySelector("input[name=csrfmiddlewaretoken]");
      return field ? field.value : "";
    }

    function show(count, message, failed) {
      value.textContent = count;
      note.textContent = message;
      box.classList.toggle("has-errors", Boolean(failed));
    }

    function errorText(errors) {
      var parts = [];
      Object.keys(errors || {}).forEach(function (name) {
        var label = name === "__all__" ? "" : name + ": ";
        parts.push(label + errors[name].join(" "));
      });
      return parts.join("; ");
    }

    function refresh() {
      var request = ++latest;
      note.textContent = box.dataset.counting;
      fetch(box.dataset.url, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: {"X-CSRFToken": csrfToken(), "Accept": "application/json"}
      }).then(function (response) {
        return response.json().then(function (body) {
          return {ok: response.ok, body: body};
        });
      }).then(function (answer) {
        if (request !== latest) {
          return;  // a newer edit already asked again
        }
        if (answer.ok && answer.body.count !== null) {
          show(answer.body.count, "", false);
        } else {
          show("–", errorText(answer.body.errors) || answer.body.error || box.dataset.failed, true);
        }
      }).catch(function () {
        if (request === latest) {
          show("–", box.dataset.failed, true);
        }
      });
    }

    function schedule() {
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, 300);
    }

    form.addEventListener("input", schedule);
    form.addEventListener("change", schedule);
    // The categories autocomplete (select2) reports changes through jQuery events only.
    if (window.django && window.django.jQuery) {
      window.django.jQuery(form).on("change", "select", schedule);
    }
    if (value.textContent.trim() === "…") {
      refresh();  // the change page arrives counted; the add page and a re-shown form do not
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
