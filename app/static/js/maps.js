/* Vuurtoren maps: the outlines of the municipalities (GET /api/v1/boundaries) drawn with Leaflet,
   without a tile server, so they work offline and under a strict Content-Security-Policy.

   A map is an element <div class="vt-map" data-map-spec="ID"> and a
   <script type="application/json" id="ID"> holding its specification (built by
   app/registry/maps.py, the one place that decides what a map shows):

     boundaries  URL of the GeoJSON FeatureCollection
     base        CSS class of a municipality without a value
     areas       {refnis: {c: CSS class, t: tooltip text after the name}}
     legend      {title, items: [{c, label}]}
     marks       [{refnis, lat, lon, c, label, t}]: circle markers, label drawn inside
     links       [{from: [lat, lon], to: [lat, lon], c}]: thin lines (follower -> lighthouse)
     focus       [refnis]: the view fits these outlines (and the marks); else the whole map
     href        link pattern with {refnis}: clicking an outline opens it

   Text never goes through innerHTML: tooltips, legend and labels are text nodes. The current
   zoom is mirrored in data-zoom (tests and assistive scripts can read it). */
(function () {
  "use strict";

  var requests = {};

  function load(url) {
    if (!requests[url]) {
      requests[url] = fetch(url, { credentials: "same-origin", headers: { Accept: "application/geo+json, application/json" } })
        .then(function (response) {
          if (!response.ok) { throw new Error("boundaries: HTTP " + response.status); }
          return response.json();
        });
    }
    return requests[url];
  }

  function textElement(tag, className, text) {
    var element = document.createElement(tag);
    if (className) { element.className = className; }
    element.textContent = text;
    return element;
  }

  function tooltip(name, extra) {
    var box = document.createElement("div");
    box.appendChild(textElement("strong", "", name));
    if (extra) {
      box.appendChild(document.createElement("br"));
      box.appendChild(document.createTextNode(extra));
    }
    return box;
  }

  function legendControl(legend) {
    var control = L.control({ position: "bottomright" });
    control.onAdd = function () {
      var box = L.DomUtil.create("div", "vt-legend");
      if (legend.title) { box.appendChild(textElement("div", "vt-legend-title", legend.title)); }
      legend.items.forEach(function (item) {
        var row = document.createElement("div");
        row.appendChild(textElement("span", "vt-swatch " + item.c, ""));
        row.appendChild(document.createTextNode(" " + item.label));
        box.appendChild(row);
      });
      L.DomEvent.disableClickPropagation(box);
      return box;
    };
    return control;
  }

  function draw(element) {
    var spec = JSON.parse(document.getElementById(element.dataset.mapSpec).textContent);
    var areas = spec.areas || {};
    var map = L.map(element, {
      zoomSnap: 0.25, zoomDelta: 0.5, minZoom: 6, maxZoom: 14, attributionControl: true,
      maxBounds: [[49.2, 2.0], [51.9, 6.9]]
    });
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution(element.dataset.attribution || "");
    element.dataset.zoom = "";
    map.on("zoomend", function () { element.dataset.zoom = String(map.getZoom()); });

    load(spec.boundaries).then(function (collection) {
      var byRefnis = {};
      var layer = L.geoJSON(collection, {
        style: function (feature) {
          var area = areas[feature.properties.refnis];
          return {
            className: "vt-area " + (area ? area.c : (spec.base || "vt-none")) + " vt-refnis-" + feature.properties.refnis,
            weight: 0.6, fillOpacity: 1
          };
        },
        onEachFeature: function (feature, path) {
          var refnis = feature.properties.refnis;
          var area = areas[refnis];
          byRefnis[refnis] = path;
          path.bindTooltip(tooltip(feature.properties.name, area && area.t), { sticky: true, direction: "top" });
          if (spec.href) {
            path.on("click", function () { window.location.href = spec.href.replace("{refnis}", refnis); });
          }
        }
      }).addTo(map);
      // A view first: lines and markers need one to be projected.
      map.fitBounds(layer.getBounds());

      (spec.links || []).forEach(function (link) {
        L.polyline([link.from, link.to], { className: "vt-link " + (link.c || ""), weight: 1, interactive: false }).addTo(map);
      });
      var marks = L.featureGroup();
      (spec.marks || []).slice().reverse().forEach(function (mark) {
        var label = textElement("span", "", mark.label || "");
        var marker = L.marker([mark.lat, mark.lon], {
          icon: L.divIcon({ className: "vt-mark " + (mark.c || ""), html: label, iconSize: mark.c && mark.c.indexOf("vt-lighthouse") >= 0 ? [22, 22] : [20, 20] }),
          keyboard: false, riseOnHover: true
        });
        marker.bindTooltip(tooltip(mark.name || "", mark.t), { direction: "top", offset: [0, -8] });
        if (spec.href && mark.refnis) {
          marker.on("click", function () { window.location.href = spec.href.replace("{refnis}", mark.refnis); });
        }
        marker.on("add", function () {
          var icon = marker.getElement();
          if (icon) { icon.dataset.refnis = mark.refnis || ""; icon.dataset.label = mark.label || ""; }
        });
        marks.addLayer(marker);
      });
      marks.addTo(map);

      var bounds = L.latLngBounds([]);
      (spec.focus || []).forEach(function (refnis) {
        if (byRefnis[refnis]) { bounds.extend(byRefnis[refnis].getBounds()); }
      });
      if (bounds.isValid() && (spec.focus_marks !== false)) {
        marks.eachLayer(function (marker) { bounds.extend(marker.getLatLng()); });
      }
      if (!bounds.isValid()) { bounds = layer.getBounds(); }
      var fit = function () { map.fitBounds(bounds, { padding: [12, 12], maxZoom: 10 }); };
      fit();
      element.dataset.zoom = String(map.getZoom());
      element.classList.add("vt-map-ready");
      // A map drawn while hidden (a closed <details>, a narrow column) has no size yet: fit again
      // when it gets one, unless the user has moved it meanwhile.
      var moved = false;
      map.on("dragstart", function () { moved = true; });
      map.on("zoomstart", function (event) { if (event && event.originalEvent) { moved = true; } });
      if (typeof ResizeObserver !== "undefined") {
        new ResizeObserver(function () {
          map.invalidateSize();
          if (!moved && element.offsetWidth > 0) { fit(); }
        }).observe(element);
      }
    }).catch(function (error) {
      element.classList.add("vt-map-failed");
      if (window.console) { console.error("map " + element.id + ": " + error); }
      element.appendChild(textElement("p", "vt-map-error", element.dataset.failed || String(error)));
    });

    if (spec.legend && spec.legend.items && spec.legend.items.length) { legendControl(spec.legend).addTo(map); }
    return map;
  }

  function start() {
    if (typeof L === "undefined") { return; }
    Array.prototype.forEach.call(document.querySelectorAll(".vt-map[data-map-spec]"), function (element) {
      if (!element.dataset.drawn) {
        element.dataset.drawn = "1";
        draw(element);
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
