/*
 * htmx does not swap 4xx/5xx answers, so a form that the server sends back with its errors
 * (status 422, the house convention) would change nothing on screen: the person is lost.
 *
 * - 422 (and 409): swap the answer in as usual; it is the form again, with its errors.
 *   Focus then moves to the first field in error (or the error summary) so that keyboard and
 *   screen-reader users hear what went wrong.
 * - any other failure (403, 404, 429, 5xx, no network): keep the page, and say so in a
 *   role="alert" message at the top of the element that made the request.
 *
 * Loaded on every page by base.html after htmx; listens on document, so it needs no wiring.
 */
(function () {
  "use strict";

  var SWAPPED = { 409: true, 422: true };

  function explain(status) {
    if (status === 0) return "The request did not reach us. Check your connection and try again.";
    if (status === 403) return "This was refused. Reload the page and try again (you may have to sign in again).";
    if (status === 404) return "This is no longer here. Reload the page.";
    if (status === 413) return "What you sent is too large.";
    if (status === 429) return "Too many attempts. Wait a minute, then try again.";
    if (status >= 500) return "Something went wrong on our side. Try again in a moment.";
    return "This did not work (error " + status + "). Reload the page and try again.";
  }

  function show(elt, status) {
    if (!elt || !elt.isConnected) elt = document.getElementById("content") || document.body;
    var box = elt.querySelector("[data-htmx-error]");
    if (!box) {
      box = document.createElement("p");
      box.className = "message message--error";
      box.setAttribute("role", "alert");
      box.setAttribute("data-htmx-error", "");
      elt.insertBefore(box, elt.firstChild);
    }
    box.textContent = explain(status);
  }

  function clear(elt) {
    var box = elt && elt.querySelector ? elt.querySelector("[data-htmx-error]") : null;
    if (box) box.remove();
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail;
    var status = detail.xhr ? detail.xhr.status : 0;
    if (SWAPPED[status]) {
      detail.shouldSwap = true;
      detail.isError = false;
    } else if (status >= 400) {
      detail.shouldSwap = false;
      show(detail.requestConfig ? detail.requestConfig.elt : detail.elt, status);
    } else {
      clear(detail.requestConfig ? detail.requestConfig.elt : detail.elt);
    }
  });

  document.addEventListener("htmx:sendError", function (event) {
    show(event.detail.requestConfig ? event.detail.requestConfig.elt : event.detail.elt, 0);
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var xhr = event.detail.xhr;
    if (!xhr || !SWAPPED[xhr.status]) return;
    // An outerHTML swap replaced the target: the fields in error are found in the document.
    var first =
      document.querySelector('[aria-invalid="true"]') ||
      document.querySelector('.form-errors, [role="alert"]');
    if (!first) return;
    if (!/^(INPUT|SELECT|TEXTAREA|BUTTON)$/.test(first.tagName) && !first.hasAttribute("tabindex")) {
      first.setAttribute("tabindex", "-1");
    }
    first.focus();
  });
})();
