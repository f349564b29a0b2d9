/* The map of institutions (himaya/directory/views.py `institution_map`).
 *
 * Works without internet: Leaflet and the country outline (Natural Earth, from the npm
 * package world-atlas) are installed by the setup and served by Django. No tile layer at all.
 * Morocco is drawn as one shape: features 504 and 732 of Natural Earth are merged, so that no
 * internal line is drawn. Markers are vector circles (no image, no inline style attribute),
 * and popups are built with text nodes, never HTML strings.
 */
(function () {
  "use strict";

  function text(tag, value, className) {
    var node = document.createElement(tag);
    node.textContent = value;
    if (className) node.className = className;
    return node;
  }

  function popup(marker, labels) {
    var box = document.createElement("div");
    var link = text("a", marker.name);
    link.href = marker.url;
    box.appendChild(link);
    box.appendChild(text("div", marker.type, "small"));
    if (marker.capacity !== null) {
      var places = marker.free > 0 ? marker.free + " " + labels.free : labels.full;
      box.appendChild(text("div", places + " (" + marker.capacity + ")", "small"));
    }
    return box;
  }

  function start() {
    var element = document.getElementById("directory-map");
    var data = document.getElementById("directory-markers");
    if (!element || !data || typeof L === "undefined") return;
    var markers = JSON.parse(data.textContent);
    var labels = { free: element.dataset.freeLabel, full: element.dataset.fullLabel };
    var map = L.map(element, { zoomSnap: 0.5, attributionControl: false }).setView([31.8, -7.1], 5);

    fetch(element.dataset.outline, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (world) {
        var wanted = world.objects.countries.geometries.filter(function (g) {
          return g.id === "504" || g.id === "732";
        });
        var outline = topojson.merge(world, wanted);
        L.geoJSON(outline, {
          style: { color: "#495057", weight: 1, fillColor: "#f8f9fa", fillOpacity: 1 },
          interactive: false,
        }).addTo(map);
        if (!markers.length) map.fitBounds(L.geoJSON(outline).getBounds());
      })
      .catch(function () { /* the list below the map stays */ });

    var group = L.featureGroup();
    markers.forEach(function (m) {
      var full = m.capacity !== null && m.free === 0;
      L.circleMarker([m.lat, m.lon], {
        radius: 6, weight: 1, color: "#212529",
        fillColor: full ? "#dc3545" : "#0d6efd", fillOpacity: 0.85,
      }).bindPopup(popup(m, labels)).addTo(group);
    });
    group.addTo(map);
    if (markers.length) map.fitBounds(group.getBounds().pad(0.2), { maxZoom: 12 });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
