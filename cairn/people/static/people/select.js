// "Select all" checkboxes: a box with data-select-all="group" ticks every data-select="group" box.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!(box instanceof HTMLInputElement) || !box.dataset.selectAll) return;
    document
      .querySelectorAll('input[data-select="' + box.dataset.selectAll + '"]')
      .forEach(function (other) {
        other.checked = box.checked;
      });
  });
})();
