// 字号 and 高对比度 (适老化): one setting for the whole site, remembered in localStorage.
(function () {
  var root = document.documentElement;
  function load() { try { return JSON.parse(localStorage.getItem("dl-reading") || "{}"); } catch (e) { return {}; } }
  function save(s) { try { localStorage.setItem("dl-reading", JSON.stringify(s)); } catch (e) {} }
  function show(s) {
    root.dataset.fontsize = s.fontsize || "normal";
    root.dataset.contrast = s.contrast || "normal";
    document.querySelectorAll("[data-fontsize]").forEach(function (b) {
      if (b !== root) b.setAttribute("aria-pressed", String(b.dataset.fontsize === root.dataset.fontsize));
    });
    document.querySelectorAll("button[data-contrast]").forEach(function (b) {
      b.setAttribute("aria-pressed", String(root.dataset.contrast === "high"));
    });
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-fontsize], button[data-contrast]");
    if (!button) return;
    var s = load();
    if (button.hasAttribute("data-fontsize")) s.fontsize = button.dataset.fontsize;
    else s.contrast = s.contrast === "high" ? "normal" : "high";
    save(s);
    show(s);
  });
  show(load());
})();

// The print header names the page's address and the day it was printed (see main.html).
(function () {
  var url = document.querySelector(".dl-print-url"), day = document.querySelector(".dl-print-date");
  if (url && !url.textContent) url.textContent = location.href.replace(/[?#].*$/, "");
  if (day) {
    var d = new Date();
    day.textContent = d.getFullYear() + "-" + String(d.getMonth() + 1).padStart(2, "0") + "-" + String(d.getDate()).padStart(2, "0");
  }
})();
