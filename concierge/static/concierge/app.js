/* Concierge front-end glue: Bootstrap tooltips that survive htmx swaps, and an ECharts helper.
 * Load after vendor/bootstrap/bootstrap.bundle.min.js and (on chart pages) vendor/echarts/echarts.min.js.
 */
(function () {
  "use strict";

  var TOOLTIP_SELECTOR = '[data-bs-toggle="tooltip"]';

  function initTooltips(root) {
    if (!window.bootstrap || !root || !root.querySelectorAll) return;
    var nodes = root.querySelectorAll(TOOLTIP_SELECTOR);
    for (var i = 0; i < nodes.length; i++) {
      window.bootstrap.Tooltip.getOrCreateInstance(nodes[i]);
    }
    if (root.matches && root.matches(TOOLTIP_SELECTOR)) {
      window.bootstrap.Tooltip.getOrCreateInstance(root);
    }
  }

  function disposeTooltips(root) {
    if (!window.bootstrap || !root || !root.querySelectorAll) return;
    var nodes = root.querySelectorAll(TOOLTIP_SELECTOR);
    for (var i = 0; i < nodes.length; i++) {
      var tip = window.bootstrap.Tooltip.getInstance(nodes[i]);
      if (tip) tip.dispose();
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    initTooltips(document);
  });

  // Content about to be replaced: drop its tooltips so none stay stuck on screen.
  document.addEventListener("htmx:beforeSwap", function (evt) {
    disposeTooltips(evt.detail && evt.detail.target);
  });

  document.addEventListener("htmx:afterSwap", function (evt) {
    initTooltips((evt.detail && evt.detail.target) || document);
  });

  /* ---------- ECharts ---------- */

  var charts = [];
  var resizeTimer = null;

  function echartsLocale() {
    var lang = (document.documentElement.getAttribute("lang") || "").toLowerCase();
    return lang.indexOf("zh") === 0 ? "ZH" : "EN";
  }

  window.addEventListener("resize", function () {
    if (resizeTimer) clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () {
      charts = charts.filter(function (chart) {
        if (chart.isDisposed() || !document.body.contains(chart.getDom())) {
          if (!chart.isDisposed()) chart.dispose();
          return false;
        }
        chart.resize();
        return true;
      });
    }, 100);
  });

  /**
   * Initialise (or re-use) an ECharts instance on `el` (an element or a selector),
   * with the locale of <html lang>, apply `option`, and keep it sized to the window.
   * Returns the chart, or null if the element or ECharts is missing.
   */
  window.conciergeChart = function (el, option) {
    if (typeof el === "string") el = document.querySelector(el);
    if (!el || !window.echarts) return null;
    var chart = window.echarts.getInstanceByDom(el);
    if (!chart) {
      chart = window.echarts.init(el, null, { locale: echartsLocale(), renderer: "canvas" });
      charts.push(chart);
    }
    if (option) chart.setOption(option, true);
    return chart;
  };
})();
