// Small behaviours that pages ask for by attribute, since the Content-Security-Policy forbids
// inline scripts and event handlers (onclick=…):
//   <button data-print>                  prints the page;
//   <form data-confirm="Question ?">     asks before submitting;
//   <input data-select-on-focus>         selects its text when focused (a link to copy);
//   <button data-back>                   goes back to the previous page (error pages).
(function () {
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) window.print();
    if (event.target.closest("[data-back]")) window.history.back();
  });
  document.addEventListener("submit", function (event) {
    const form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
  });
  document.addEventListener("focusin", function (event) {
    if (event.target.matches("input[data-select-on-focus]")) event.target.select();
  });
})();
