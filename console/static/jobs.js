/* Keeps the model job panel up to date while a job runs; the page itself works without it. */
(function () {
  "use strict";
  var panel = document.querySelector("[data-job-status]");
  if (!panel || panel.getAttribute("data-job-state") !== "running") { return; }
  var words = { running: "Sedang berjalan", done: "Selesai", failed: "Gagal", refused: "Ditolak", partial: "Sebagian gagal" };

  function show(job) {
    panel.querySelector(".job-state").textContent = words[job.state] || job.state;
    panel.querySelector(".job-time").textContent = job.seconds + " detik";
    var lines = panel.querySelector(".job-lines");
    if (!lines && job.lines.length) {
      lines = document.createElement("pre");
      lines.className = "job-lines";
      lines.tabIndex = 0;
      panel.appendChild(lines);
    }
    if (lines) { lines.textContent = job.lines.join("\n"); }
  }

  function poll() {
    fetch(panel.getAttribute("data-job-status"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (answer) { return answer.json(); })
      .then(function (body) {
        var job = body.job;
        if (!job) { return; }
        show(job);
        // Finished: the server renders the outcome (candidate, error, instances).
        if (job.state !== "running") { window.location.reload(); } else { window.setTimeout(poll, 1500); }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
