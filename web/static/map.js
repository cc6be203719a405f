// The segment page's small map: Leaflet from the local Debian package, no tiles (works offline).
(function () {
  "use strict";
  var el = document.getElementById("segment-map");
  var data = document.getElementById("map-data");
  if (!el || !data || typeof L === "undefined") { if (el) { el.classList.add("nomap"); } return; }
  var d = JSON.parse(data.textContent);
  // Names come from imported files and people: always text, never HTML (Leaflet's string tooltips are HTML).
  function text(value) {
    var span = document.createElement("span");
    span.textContent = value;
    return span;
  }
  var map = L.map(el, {attributionControl: true, zoomSnap: 0.25, scrollWheelZoom: false});
  var seg = L.geoJSON(d.segment.geometry, {style: {color: "#c62828", weight: 6, opacity: 0.9}})
    .bindTooltip(text(d.segment.code + " " + d.segment.name));
  map.fitBounds(seg.getBounds().pad(0.25));  // a view first: vector layers need one to draw
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution("道路 © OpenStreetMap contributors");
  d.context.forEach(function (c) {
    L.geoJSON(c.geometry, {style: {color: "#b0bec5", weight: 4, opacity: 0.8}})
      .bindTooltip(text(c.code + " " + c.name)).addTo(map);
  });
  d.alleys.forEach(function (a) {
    L.geoJSON(a.geometry, {style: {color: "#78909c", weight: 3, opacity: 0.9}})
      .bindTooltip(text(a.code + " " + a.name)).addTo(map);
  });
  seg.addTo(map);
  d.ticks.forEach(function (t) {
    L.circleMarker([t.lat, t.lon], {radius: 6, color: "#1565c0", fillOpacity: 0.8})
      .bindTooltip(text("打卡：" + t.title)).addTo(map);
  });
  d.problems.forEach(function (p) {
    L.circleMarker([p.lat, p.lon], {radius: 6, color: "#ef6c00", fillOpacity: 0.8})
      .bindTooltip(text("问题：" + p.title)).addTo(map);
  });
  L.control.scale({imperial: false}).addTo(map);
})();
