// The coalition menu, <details data-nav-menu>: collapsed behind "Menu" on phones, always shown on
// wider screens. Browsers with ::details-content do that in CSS alone (cairn.css); in the others
// this module opens the menu on wide screens and closes it again below the breakpoint.
const wide = window.matchMedia("(min-width: 40.0625rem)");

function sync() {
  for (const menu of document.querySelectorAll("[data-nav-menu]")) {
    menu.open = wide.matches;
  }
}

if (!CSS.supports("selector(::details-content)")) {
  sync();
  wide.addEventListener("change", sync);
}
