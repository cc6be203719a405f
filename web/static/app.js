// 创卫任务: small progressive enhancements; every form works without this script.
(function () {
  "use strict";
  var photos = document.getElementById("photos");
  var previews = document.getElementById("previews");
  if (photos && previews) {
    photos.addEventListener("change", function () {
      previews.textContent = "";
      Array.prototype.forEach.call(photos.files, function (file) {
        var item = document.createElement("figure");
        var img = document.createElement("img");
        img.alt = file.name;
        img.onerror = function () { item.classList.add("noimg"); };  // HEIC: no preview in most browsers
        img.src = URL.createObjectURL(file);
        var cap = document.createElement("figcaption");
        cap.textContent = file.size >= 1048576 ? (file.size / 1048576).toFixed(1) + " MB"
                                               : Math.max(1, Math.round(file.size / 1024)) + " KB";
        item.appendChild(img);
        item.appendChild(cap);
        previews.appendChild(item);
      });
    });
  }

  var locate = document.getElementById("locate");
  var status = document.getElementById("loc-status");
  if (locate && status) {
    locate.addEventListener("click", function () {
      if (!navigator.geolocation || !window.isSecureContext) {
        status.textContent = "本浏览器无法获取位置（需要 HTTPS 访问）";
        return;
      }
      status.textContent = "正在获取位置…";
      navigator.geolocation.getCurrentPosition(function (pos) {
        document.getElementById("lon").value = pos.coords.longitude.toFixed(6);
        document.getElementById("lat").value = pos.coords.latitude.toFixed(6);
        status.textContent = "已附上位置（精度约 " + Math.round(pos.coords.accuracy) + " 米）";
      }, function (err) {
        status.textContent = err.code === 1 ? "您未允许获取位置，可不附位置直接提交" : "暂时无法获取位置";
      }, {enableHighAccuracy: true, timeout: 15000, maximumAge: 60000});
    });
  }

  // "back" links (no javascript: URLs, which the Content-Security-Policy blocks)
  document.querySelectorAll("[data-back]").forEach(function (link) {
    link.addEventListener("click", function (e) {
      if (window.history.length > 1) { e.preventDefault(); window.history.back(); }
    });
  });

  document.querySelectorAll("form").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("button[type=submit]").forEach(function (b) {
        b.disabled = true;
        if (b.id === "submit-tick") { b.textContent = "正在上传…"; }
      });
    });
  });
})();
