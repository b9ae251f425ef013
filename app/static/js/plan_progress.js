/* Live progress of a cluster plan: polls the plan's JSON every second while it is queued or
   running, moves the progress bar (elapsed seconds of the time limit) and shows the best
   objective, the bound and the gap; reloads the page when the plan ends, to draw the result. */
(function () {
  "use strict";
  var box = document.getElementById("progress");
  if (!box || box.dataset.active !== "true") { return; }
  var url = box.dataset.url;
  var dutch = box.dataset.locale !== "en";
  var bar = document.getElementById("plan-progress");

  function number(value, digits) {
    if (value === null || value === undefined) { return "\u2014"; }
    var text = Number(value).toFixed(digits);
    return dutch ? text.replace(".", ",") : text;
  }

  function show(plan) {
    var p = plan.progress || {};
    if (typeof p.elapsed_s === "number") {
      bar.value = Math.min(p.elapsed_s, Number(bar.max));
      bar.textContent = number(p.elapsed_s, 1);
    }
    document.getElementById("progress-elapsed").textContent = number(p.elapsed_s, 1);
    document.getElementById("progress-best").textContent = number(p.best_objective, 1);
    document.getElementById("progress-bound").textContent = number(p.bound, 1);
    document.getElementById("progress-gap").textContent =
      (p.gap === null || p.gap === undefined) ? "\u2014" : number(p.gap * 100, 2) + " %";
    var status = document.getElementById("plan-status");
    var labels = JSON.parse(status.dataset.labels || "{}");
    status.className = "status status-" + plan.status;
    status.dataset.status = plan.status;
    status.textContent = labels[plan.status] || plan.status;
  }

  function poll() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (resp) { return resp.ok ? resp.json() : null; })
      .then(function (plan) {
        if (!plan) { setTimeout(poll, 1000); return; }
        show(plan);
        if (plan.status === "queued" || plan.status === "running") {
          setTimeout(poll, 1000);
        } else {
          window.location.reload();
        }
      })
      .catch(function () { setTimeout(poll, 1000); });
  }

  setTimeout(poll, 1000);
}());
