// The shopkeeper's screen: a few plain helpers. Everything works without
// them; they make the keypad, printing and the keyboard nicer.
"use strict";
// The page is ready once its stylesheet, script and pictures have loaded:
// html[data-ready] says so, for anything (a test) that measures the page.
window.addEventListener("load", function () {
  document.documentElement.setAttribute("data-ready", "1");
});
document.addEventListener("DOMContentLoaded", function () {
  // The on-screen keypad types into its field.
  // It types into the field of its form that last had the cursor, else
  // the field it was made for.
  var last = null;
  document.addEventListener("focusin", function (ev) {
    if (ev.target.matches("input[inputmode=decimal], input[inputmode=numeric]")) { last = ev.target; }
  });
  document.querySelectorAll(".keypad").forEach(function (pad) {
    pad.addEventListener("click", function (ev) {
      var b = ev.target.closest("button[data-key]");
      if (!b) { return; }
      var input = (last && last.form === pad.closest("form")) ? last : document.getElementById(pad.dataset.for);
      if (!input) { return; }
      var k = b.dataset.key;
      if (k === "back") { input.value = input.value.slice(0, -1); }
      else { input.value += k; }
      input.focus();
    });
  });
  // A file chosen is named under its button, in the screen's words.
  document.querySelectorAll("[data-chosen-for]").forEach(function (say) {
    var input = document.getElementById(say.dataset.chosenFor);
    if (!input) { return; }
    input.addEventListener("change", function () {
      say.textContent = input.files && input.files.length ? say.dataset.chosen + input.files[0].name : say.dataset.none;
    });
  });
  // Print the receipt shown in the frame.
  document.querySelectorAll("[data-print]").forEach(function (b) {
    b.addEventListener("click", function () {
      var f = document.getElementById(b.dataset.print);
      if (f && f.contentWindow) { f.contentWindow.focus(); f.contentWindow.print(); }
    });
  });
  // A ticket's class list offers only the chosen carrier's classes, and
  // a change of carrier picks that carrier's first class (a train ticket
  // never keeps an air class). The server checks it again.
  var cls = document.getElementById("f-class");
  if (cls) {
    var carrier = function () { var r = document.querySelector("input[name=carrier]:checked"); return r ? r.value : "rail"; };
    var sync = function (changed) {
      cls.querySelectorAll("optgroup").forEach(function (g) {
        var mine = g.dataset.carrier === carrier();
        g.disabled = !mine; g.hidden = !mine;
        if (mine && (changed || cls.selectedOptions.length === 0 || cls.selectedOptions[0].parentNode !== g)) { cls.value = g.querySelector("option").value; }
      });
    };
    document.querySelectorAll("input[name=carrier]").forEach(function (r) { r.addEventListener("change", function () { sync(true); }); });
    sync(false);
  }
  // The owner's approval is asked only when the owner takes cash out
  // (the server asks for it then, and only then); shown with its error.
  var approval = document.getElementById("owner-approval");
  if (approval) {
    var form = approval.form || approval.closest("form");
    var needed = function () {
      var d = form.querySelector("input[name=dir]:checked"), r = form.querySelector("input[name=reason]:checked");
      return (d && d.value === "out" && r && r.value === "owner") || approval.querySelector(".error") !== null;
    };
    var show = function () { approval.hidden = !needed(); };
    form.querySelectorAll("input[name=dir], input[name=reason]").forEach(function (r) { r.addEventListener("change", show); });
    show();
  }
  // Print the page itself (a day report shown on the screen).
  document.querySelectorAll("[data-print-page]").forEach(function (b) {
    b.addEventListener("click", function () { window.print(); });
  });
  // A form is sent once: a second click waits for the first answer (the
  // server also answers a repeat from the ledger, under the same key).
  document.querySelectorAll("form[method=post]").forEach(function (form) {
    form.addEventListener("submit", function (ev) {
      if (form.dataset.sent) { ev.preventDefault(); return; }
      form.dataset.sent = "1";
    });
  });
  // The first field that is wrong, else the first empty field, gets the
  // cursor, so the number pad can type at once.
  var first = document.querySelector("[aria-invalid=true]") ||
    document.querySelector("main input:not([type=hidden]):not([type=radio]):not([type=checkbox]):not([type=search]), main textarea");
  if (first) { first.focus(); }
  // Escape goes back to the start screen (nothing is sent).
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape" && location.pathname !== "/signin") { location.href = "/"; }
  });
});
