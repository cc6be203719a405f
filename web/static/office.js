// 创卫办工作台: small enhancements over server-rendered pages; every form works without this script.
// Names from the database reach the page only as text nodes (textContent), never as HTML.
(function () {
  "use strict";

  // 全选本页: a checkbox with data-check-all="name" ticks every box of that name in its form
  document.querySelectorAll("input[data-check-all]").forEach(function (all) {
    all.addEventListener("change", function () {
      var form = all.form || document;
      form.querySelectorAll("input[type=checkbox][name='" + all.getAttribute("data-check-all") + "']")
        .forEach(function (box) { box.checked = all.checked; });
    });
  });

  // one submission per form (a double click must not act twice); confirm where a form asks to
  document.querySelectorAll("form").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var question = form.getAttribute("data-confirm");
      if (question && !window.confirm(question)) { event.preventDefault(); return; }
      if (form.method.toLowerCase() !== "post") { return; }
      if (form.dataset.sent) { event.preventDefault(); return; }
      form.dataset.sent = "1";
    });
  });

  // a file input's own button reads in the browser's language ("Choose File"): it is hidden under a
  // Chinese label, and the chosen names are written next to it
  document.querySelectorAll(".file-pick input[type=file]").forEach(function (input) {
    var shown = input.parentNode.querySelector(".file-name");
    if (!shown) { return; }
    input.addEventListener("change", function () {
      var names = Array.prototype.map.call(input.files, function (f) { return f.name; });
      shown.textContent = names.length ? names.join("、") : "未选择文件";
    });
  });

  function label(text) {  // a tooltip's content as a text node
    var span = document.createElement("span");
    span.textContent = text;
    return span;
  }

  var lonInput = document.getElementById("pick-lon");
  var latInput = document.getElementById("pick-lat");
  var posStatus = document.getElementById("pos-status");
  var usePos = document.getElementById("use-position");

  var el = document.getElementById("office-map");
  if (!el) { return; }
  if (typeof L === "undefined") { el.classList.add("nomap"); el.textContent = "地图组件未加载"; return; }
  var map = L.map(el, {attributionControl: true, zoomSnap: 0.25, preferCanvas: true});
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution("道路 © OpenStreetMap contributors");
  L.control.scale({imperial: false}).addTo(map);
  map.setView([39.99, 116.47], 14);  // replaced by the segments' bounds once they arrive
  el.leafletMap = map;  // for scripted checks (the browser test clicks a segment's point)

  function colour(rate) {
    if (rate === null || rate === undefined) { return "#90a4ae"; }
    return rate >= 0.8 ? "#2e7d32" : rate >= 0.5 ? "#f9a825" : "#c62828";
  }

  function lines(seg) {  // LineString or MultiLineString as Leaflet [lat, lon] arrays
    var g = seg.geometry || {type: "LineString", coordinates: []};
    var parts = g.type === "MultiLineString" ? g.coordinates : [g.coordinates];
    return parts.map(function (part) { return part.map(function (c) { return [c[1], c[0]]; }); });
  }

  var marker = null;
  function pick(lat, lon) {
    if (!lonInput || !latInput) { return; }
    lonInput.value = lon.toFixed(6);
    latInput.value = lat.toFixed(6);
    if (marker) { marker.setLatLng([lat, lon]); }
    else { marker = L.circleMarker([lat, lon], {radius: 8, color: "#ef6c00", fillOpacity: 0.9}).addTo(map); }
    marker.bindTooltip(label("问题位置")).openTooltip();
  }

  if (el.getAttribute("data-mode") === "pick") {
    map.on("click", function (e) { pick(e.latlng.lat, e.latlng.lng); });
    if (lonInput && latInput && lonInput.value && latInput.value) {
      pick(parseFloat(latInput.value), parseFloat(lonInput.value));
    }
  }
  if (usePos && posStatus) {
    usePos.addEventListener("click", function () {
      if (!navigator.geolocation || !window.isSecureContext) {
        posStatus.textContent = "本浏览器无法获取位置（需要 HTTPS 访问），请在地图上点击";
        return;
      }
      posStatus.textContent = "正在获取位置…";
      navigator.geolocation.getCurrentPosition(function (p) {
        pick(p.coords.latitude, p.coords.longitude);
        map.panTo([p.coords.latitude, p.coords.longitude]);
        posStatus.textContent = "已取当前位置（精度约 " + Math.round(p.coords.accuracy) + " 米）";
      }, function () { posStatus.textContent = "暂时无法获取位置，请在地图上点击"; },
      {enableHighAccuracy: true, timeout: 15000, maximumAge: 60000});
    });
  }

  var routeData = document.getElementById("route-data");
  var route = routeData ? JSON.parse(routeData.textContent) : [];

  fetch("/office/map.json", {credentials: "same-origin"}).then(function (r) {
    if (!r.ok) { throw new Error("map " + r.status); }
    return r.json();
  }).then(function (data) {
    var bounds = L.latLngBounds([]);
    var faint = route.length > 0;
    data.segments.forEach(function (seg) {
      var text = seg.code + " " + seg.name + "：" +
        (seg.rate === null ? "无任务" : "完成 " + Math.round(seg.rate * 100) + "%") +
        (seg.overdue ? "，逾期 " + seg.overdue : "");
      var line = L.polyline(lines(seg), {color: faint ? "#b0bec5" : colour(seg.rate), weight: faint ? 3 : 5,
                                          opacity: 0.85});
      line.bindTooltip(label(text), {sticky: true}).addTo(map);
      bounds.extend(line.getBounds());
    });
    var path = [];
    route.forEach(function (stop) {
      if (stop.lon === null || stop.lat === null) { return; }
      var at = [stop.lat, stop.lon];
      path.push(at);
      var badge = document.createElement("span");
      badge.textContent = String(stop.seq);
      L.marker(at, {icon: L.divIcon({className: "stop-icon", html: badge, iconSize: [22, 22]}), keyboard: false})
        .bindTooltip(label(stop.seq + ". " + stop.label), {direction: "top"})
        .addTo(map);
    });
    if (path.length > 1) { L.polyline(path, {color: "#1565c0", weight: 3, dashArray: "6 6"}).addTo(map); }
    if (path.length) { map.fitBounds(L.latLngBounds(path).pad(0.3)); }
    else if (bounds.isValid()) { map.fitBounds(bounds.pad(0.05)); }
    el.setAttribute("data-ready", "1");
  }).catch(function () {
    el.classList.add("nomap");
  });
})();
