// Sortable tables: each <th data-sort="number|text"> of a <table data-sortable> becomes a button
// that sorts the body by that column (cells may give a data-value). aria-sort tells screen
// readers the current order. Without JavaScript the table keeps its server-side order.
(function () {
  function value(cell, kind) {
    const raw = cell.dataset.value !== undefined ? cell.dataset.value : cell.textContent.trim();
    if (kind === "number") {
      const n = parseFloat(String(raw).replace(",", "."));
      return Number.isNaN(n) ? -Infinity : n;
    }
    return raw.toLocaleLowerCase("fr");
  }
  document.querySelectorAll("table[data-sortable]").forEach(function (table) {
    const headers = Array.from(table.tHead.rows[0].cells);
    headers.forEach(function (th, index) {
      const kind = th.dataset.sort;
      if (!kind) return;
      const button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-link p-0 text-reset fw-semibold text-decoration-none sort-button";
      button.innerHTML = th.innerHTML + '<span class="sort-icon" aria-hidden="true"></span>';
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", function () {
        const ascending = th.getAttribute("aria-sort") !== "ascending";
        headers.forEach(function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        const body = table.tBodies[0];
        const rows = Array.from(body.rows);
        rows.sort(function (a, b) {
          const x = value(a.cells[index], kind), y = value(b.cells[index], kind);
          return (x < y ? -1 : x > y ? 1 : 0) * (ascending ? 1 : -1);
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  });
})();
