// The roll call without reloading: each tap on Présent / Absent is saved at once, one request
// after the other (a quick thumb never races itself). Without JavaScript, or if a request
// fails, the form's button sends the whole sheet instead.
(function () {
  "use strict";
  const form = document.getElementById("roll-form");
  if (!form || !window.fetch) return;
  const token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  const count = document.getElementById("roll-count");
  const allButton = document.getElementById("roll-all");
  let queue = Promise.resolve();

  function post(data) {
    return fetch(form.action, {
      method: "POST",
      headers: {"X-Requested-With": "fetch", "X-CSRFToken": token, "Accept": "application/json"},
      body: new URLSearchParams(data),
      credentials: "same-origin",
    }).then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok || !body.ok) throw new Error(body.error || response.status);
        return body;
      });
    });
  }

  function send(data) {
    const next = queue.catch(function () {}).then(function () { return post(data); });
    queue = next;
    return next;
  }

  function showCount(body) {
    count.textContent = body.present + " " + count.dataset.templatePresent + " · " +
      body.absent + " " + count.dataset.templateAbsent + " · " + body.total + " " +
      count.dataset.templateTotal;
  }

  function status(row, text, failed) {
    const element = row.querySelector(".roll-saved");
    element.textContent = text;
    element.classList.toggle("text-danger", Boolean(failed));
  }

  function mark(radio) {
    const row = radio.closest(".roll-row");
    status(row, "…");
    return send({pupil: row.dataset.pupil, present: radio.value}).then(function (body) {
      status(row, form.dataset.saved + " ✓");
      showCount(body);
    }).catch(function () {
      status(row, form.dataset.failed, true);
    });
  }

  form.addEventListener("change", function (event) {
    const target = event.target;
    if (target.matches("input[type=radio]")) mark(target);
    if (target.name === "notes") {
      send({pupil: "0", notes: target.value}).catch(function () {});
    }
  });

  if (allButton) {
    allButton.hidden = false;
    allButton.addEventListener("click", function () {
      const rows = Array.from(form.querySelectorAll(".roll-row")).filter(function (row) {
        return !row.querySelector("input:checked");
      });
      rows.forEach(function (row) {
        row.querySelector("input[value='1']").checked = true;
        status(row, "…");
      });
      send({pupil: "0", all: "present"}).then(function (body) {
        rows.forEach(function (row) { status(row, form.dataset.saved + " ✓"); });
        showCount(body);
      }).catch(function () {
        rows.forEach(function (row) { status(row, form.dataset.failed, true); });
      });
    });
  }
})();
