// Draws the charts of the page, then adapts them to narrow screens.
//
// Each chart is a <div class="js-chart"> holding its figure as JSON (campaigns/charts.py); this
// script and plotly.js are loaded with `defer`, so the page's text and tables show first.
// A figure may carry in layout.meta a "narrow" and a "wide" variant ({data, layout} updates):
// the narrow one applies while the chart is narrower than 560 px (a phone).
(function () {
  if (!window.Plotly) return;
  const NARROW = 560;
  function adapt(chart) {
    const meta = chart.layout && chart.layout.meta;
    if (!meta || !meta.narrow) return;
    const narrow = chart.clientWidth < NARROW;
    if (chart.dataset.narrow === String(narrow)) return;
    chart.dataset.narrow = String(narrow);
    const variant = narrow ? meta.narrow : meta.wide;
    Plotly.update(chart, variant.data || {}, variant.layout || {});
  }
  document.querySelectorAll(".js-chart").forEach(function (chart) {
    const source = chart.querySelector("script[type='application/json']");
    if (!source) return;
    const figure = JSON.parse(source.textContent);
    source.remove();
    Plotly.newPlot(chart, figure.data, figure.layout, figure.config).then(adapt);
  });
  let timer = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      document.querySelectorAll(".js-plotly-plot").forEach(adapt);
    }, 150);
  });
})();
