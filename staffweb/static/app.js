// The post office staff's pages work without this script; it only says
// when a page is ready and keeps a form from being sent twice.
"use strict";
// html[data-ready] says the stylesheet, script and pictures have loaded,
// for anything (a test) that measures the page.
window.addEventListener("load", function () {
  document.documentElement.setAttribute("data-ready", "1");
});
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("form[method=post]").forEach(function (form) {
    form.addEventListener("submit", function (ev) {
      if (form.dataset.sent) { ev.preventDefault(); return; }
      form.dataset.sent = "1";
    });
  });
});
