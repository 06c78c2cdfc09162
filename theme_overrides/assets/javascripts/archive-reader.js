// The reader's tools on archive pages. Each control ships hidden and is shown here, so
// with JavaScript off a page shows no button that does nothing; what the controls act
// on (the BibTeX text, the list in digest order) is on the page either way.
(function () {
  "use strict";

  // Copy buttons: <button class="da-copy" data-copy="ID" hidden> copies #ID's text.
  function setUpCopy(button) {
    var target = document.getElementById(button.getAttribute("data-copy"));
    if (!target || !navigator.clipboard) return;
    var label = button.textContent;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(target.textContent).then(
        function () { button.textContent = "Copied"; },
        function () { button.textContent = "Select the text to copy"; }
      ).then(function () {
        window.setTimeout(function () { button.textContent = label; }, 2000);
      });
    });
  }

  // A day's sort switch: <div class="da-sort" hidden> with buttons data-sort="listed" and
  // data-sort="votes", over <ol class="da-entries"> whose items carry data-votes.
  function setUpSort(control) {
    var list = document.querySelector("ol.da-entries");
    if (!list) return;
    var listed = Array.prototype.slice.call(list.children);
    var byVotes = listed.slice().sort(function (a, b) {
      var votes = Number(b.getAttribute("data-votes") || -1) - Number(a.getAttribute("data-votes") || -1);
      return votes || listed.indexOf(a) - listed.indexOf(b);
    });
    var buttons = control.querySelectorAll("button[data-sort]");
    function show(order) {
      (order === "votes" ? byVotes : listed).forEach(function (item) { list.appendChild(item); });
      Array.prototype.forEach.call(buttons, function (button) {
        button.setAttribute("aria-pressed", String(button.getAttribute("data-sort") === order));
      });
    }
    Array.prototype.forEach.call(buttons, function (button) {
      button.addEventListener("click", function () { show(button.getAttribute("data-sort")); });
    });
    control.hidden = false;
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("button.da-copy[data-copy]"), setUpCopy);
    Array.prototype.forEach.call(document.querySelectorAll(".da-sort"), setUpSort);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
