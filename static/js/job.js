// Polls a running job and moves its progress bar; reloads the page once the job is finished.
(function () {
  const box = document.getElementById("job");
  if (!box || box.dataset.finished === "1") return;
  const bar = document.querySelector("#job-progress .progress-bar");
  const wrapper = document.getElementById("job-progress");
  const stage = document.getElementById("job-stage");
  async function poll() {
    try {
      const response = await fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" } });
      if (response.ok) {
        const job = await response.json();
        if (job.finished) { window.location.reload(); return; }
        bar.style.width = job.percent + "%";
        bar.textContent = job.percent + " %";
        wrapper.setAttribute("aria-valuenow", job.percent);
        if (job.stage) stage.textContent = job.stage;
      }
    } catch (e) { /* a missed poll is retried */ }
    window.setTimeout(poll, 1000);
  }
  window.setTimeout(poll, 500);
})();
