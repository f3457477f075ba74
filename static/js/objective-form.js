// Shows only the fields a rule's kind uses; the server ignores the others anyway.
(function () {
  const uses = {min_level_count: ["level", "count"], each_domain: ["level"], named: ["level", "competences"], all: ["level"], certifiable: []};
  document.querySelectorAll("[data-rule]").forEach(function (card) {
    const select = card.querySelector("select[name$='-kind']");
    function update() {
      const wanted = uses[select.value] || [];
      card.querySelectorAll("[data-for]").forEach(function (box) {
        box.hidden = !wanted.includes(box.dataset.for);
      });
    }
    select.addEventListener("change", update);
    update();
  });
})();
