// Draws the charts of the page, then adapts them to narrow screens.
//
// Each chart is a <div class="js-chart"> holding its figure, {data, layout}, in a
// <script type="application/json"> (campaigns/charts.py, figure_html); this script and plotly.js
// are loaded with `defer`, so the page's text and tables show first.
// A figure may carry in layout.meta a "narrow" and a "wide" variant ({data, layout} updates):
// the narrow one applies while the chart is narrower than 560 px (a phone).
(function () {
  if (!window.Plotly) return;
  const NARROW = 560;

  // The words of the mode bar and of its messages, in French (plotly.js's own are English; its
  // locale files are not in the plotly Python package): the strings the buttons kept below can
  // show. A page in English (<html lang="en">) keeps plotly.js's words.
  const FRENCH = {
    dictionary: {
      "Download plot as a PNG": "Télécharger le graphique (PNG)",
      "Download plot": "Télécharger le graphique",
      "Zoom": "Zoomer sur une zone",
      "Zoom in": "Zoom avant",
      "Zoom out": "Zoom arrière",
      "Reset axes": "Revenir à la vue d’origine",
      "Autoscale": "Échelle automatique",
      "Double-click to zoom back out": "Double-cliquez pour revenir à la vue d’origine",
      "Double-click on legend to isolate one trace":
        "Double-cliquez sur la légende pour n’afficher qu’une série",
      "Preparing image - this may take a few seconds":
        "Préparation de l’image, cela peut prendre quelques secondes",
      "Image download succeeded": "Image téléchargée",
      "Sorry, there was a problem downloading your image!":
        "Désolé, l’image n’a pas pu être téléchargée.",
    },
    format: {
      days: ["dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"],
      shortDays: ["dim.", "lun.", "mar.", "mer.", "jeu.", "ven.", "sam."],
      months: ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
        "septembre", "octobre", "novembre", "décembre"],
      shortMonths: ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août",
        "sept.", "oct.", "nov.", "déc."],
      date: "%d/%m/%Y",
      decimal: ",",
      thousands: "\u202f",
    },
  };

  // What a school needs of the mode bar: the PNG download, zoom and reset. Everything else goes,
  // first of all "Share chart..." (an upload of the chart, pupils' levels included, to Plotly's
  // cloud): no button may lead anywhere but this server.
  const REMOVED = [
    "sendChartToCloud", "downloadJson", "editInChartStudio", "pan2d", "select2d", "lasso2d",
    "autoScale2d", "hoverClosestCartesian", "hoverCompareCartesian", "toggleSpikelines",
    "toggleHover", "hoverClosestPie", "resetViews", "resetViewMapbox", "resetViewMap",
  ];

  function config(chart) {
    return {
      locale: document.documentElement.lang.startsWith("en") ? "en" : "fr",
      locales: {fr: FRENCH},
      responsive: true,
      displaylogo: false,
      showSendToCloud: false,
      // Gone from plotly.js 4 (off by default in 2 and 3): set anyway, so that another copy of
      // plotly.js cannot turn a link to Plotly's site back on.
      showLink: false,
      showEditInChartStudio: false,
      plotlyServerURL: "",
      modeBarButtonsToRemove: REMOVED,
      toImageButtonOptions: {format: "png", filename: chart.dataset.filename || "pixorga"},
    };
  }

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
    Plotly.newPlot(chart, figure.data, figure.layout, config(chart)).then(adapt);
  });
  let timer = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      document.querySelectorAll(".js-plotly-plot").forEach(adapt);
    }, 150);
  });
})();
