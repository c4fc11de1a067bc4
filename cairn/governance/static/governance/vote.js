// Vote forms: drag to rank (ranked choice) and a dots-left counter (dot vote); confirmations.
// Wired by data- attributes; works again after htmx swaps the vote panel.
(function () {
  "use strict";

  function renumber(list) {
    list.querySelectorAll("[data-ranking-item] input[type=number]").forEach(function (input, i) {
      input.value = String(i + 1);
    });
  }

  function wireRanking(list) {
    if (list.dataset.wired) return;
    list.dataset.wired = "1";
    var dragged = null;
    list.addEventListener("dragstart", function (event) {
      dragged = event.target.closest("[data-ranking-item]");
      if (event.dataTransfer) event.dataTransfer.effectAllowed = "move";
    });
    list.addEventListener("dragover", function (event) {
      var over = event.target.closest("[data-ranking-item]");
      if (!dragged || !over || over === dragged) return;
      event.preventDefault();
      var box = over.getBoundingClientRect();
      var after = event.clientY > box.top + box.height / 2;
      list.insertBefore(dragged, after ? over.nextSibling : over);
    });
    list.addEventListener("drop", function (event) {
      event.preventDefault();
      renumber(list);
      dragged = null;
    });
  }

  function wireDots(group) {
    if (group.dataset.wired) return;
    group.dataset.wired = "1";
    var total = parseInt(group.dataset.dots, 10) || 0;
    var left = group.querySelector("[data-dots-left]");
    function update() {
      var used = 0;
      group.querySelectorAll("[data-dots-input]").forEach(function (input) {
        used += parseInt(input.value, 10) || 0;
      });
      if (left) left.textContent = String(total - used);
    }
    group.addEventListener("input", update);
    update();
  }

  function wire(root) {
    root.querySelectorAll("[data-ranking]").forEach(wireRanking);
    root.querySelectorAll("[data-dots]").forEach(wireDots);
  }

  // Irreversible actions (deleting a draft) ask first: <form data-governance-confirm="...">.
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-governance-confirm]");
    if (form && !window.confirm(form.dataset.governanceConfirm)) event.preventDefault();
  });

  document.addEventListener("DOMContentLoaded", function () { wire(document); });
  document.addEventListener("htmx:load", function (event) { wire(event.detail.elt); });
})();
