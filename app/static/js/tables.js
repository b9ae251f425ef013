/* Wide tables scroll in their own region, not the page (WCAG 1.4.10 reflow at 320 CSS px).
   Every table of the page content that is not in a .table-scroll yet gets one; a region that
   actually scrolls is reachable by keyboard (tabindex=0) and named after the table's caption or
   the heading before it, so a screen reader says what scrolls. */
(function () {
  "use strict";
  function nameOf(table) {
    if (table.caption && table.caption.textContent.trim()) {
      return table.caption.textContent.trim();
    }
    var node = table;
    while (node && node !== document.body) {
      var prev = node.previousElementSibling;
      while (prev) {
        if (/^H[1-6]$/.test(prev.tagName)) { return prev.textContent.trim(); }
        var inner = prev.querySelectorAll ? prev.querySelectorAll("h1,h2,h3,h4,h5,h6") : [];
        if (inner.length) { return inner[inner.length - 1].textContent.trim(); }
        prev = prev.previousElementSibling;
      }
      node = node.parentElement;
    }
    return document.documentElement.lang === "en" ? "Table" : "Tabel";
  }
  function update(region) {
    if (region.scrollWidth > region.clientWidth + 1) {
      region.setAttribute("tabindex", "0");
    } else if (!region.hasAttribute("data-always-focusable")) {
      region.removeAttribute("tabindex");
    }
  }
  function wrapAll() {
    var regions = [];
    document.querySelectorAll("main table").forEach(function (table) {
      var parent = table.parentElement;
      if (parent.classList.contains("table-scroll")) {
        regions.push(parent);
        return;
      }
      var region = document.createElement("div");
      region.className = "table-scroll";
      region.setAttribute("role", "region");
      region.setAttribute("aria-label", nameOf(table));
      parent.insertBefore(region, table);
      region.appendChild(table);
      regions.push(region);
    });
    regions.forEach(update);
    window.addEventListener("resize", function () { regions.forEach(update); });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", wrapAll);
  } else {
    wrapAll();
  }
}());
