/* Renders every Vega-Lite chart on the page from its JSON spec, in Vega's CSP-safe interpreter mode.
   The spec sits in a <script type="application/json"> element (Django's json_script) next to the chart. */
(function () {
  "use strict";
  var locale = {
    number: { decimal: ",", thousands: "\u00a0", grouping: [3], currency: ["", " kr"] },
  };
  function render() {
    document.querySelectorAll("[data-vega-spec]").forEach(function (element) {
      var source = document.getElementById(element.getAttribute("data-vega-spec"));
      if (!source || element.dataset.rendered) return;
      element.dataset.rendered = "1";
      window
        .vegaEmbed(element, JSON.parse(source.textContent), {
          ast: true,
          expr: window.vega.expressionInterpreter,
          actions: false,
          renderer: "svg",
          formatLocale: locale.number,
        })
        .then(function (result) {
          var svg = element.querySelector("svg");
          if (svg) {
            svg.setAttribute("role", "img");
            svg.setAttribute("aria-label", element.getAttribute("data-label") || "");
          }
          return result;
        })
        .catch(function (error) {
          element.textContent = element.getAttribute("data-error") || "";
          console.error(error);
        });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", render);
  else render();
  document.addEventListener("htmx:afterSwap", render);
})();
