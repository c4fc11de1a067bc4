// Copy buttons of the message kit: <button data-copy-target="ID"> copies the text of #ID.
// A module wired by data- attributes (no inline script: the CSP forbids it).
function statusFor(button) {
  const near = button.parentElement && button.parentElement.querySelector("[data-copy-status]");
  return near || null;
}

async function copy(button) {
  const target = document.getElementById(button.dataset.copyTarget || "");
  if (!target) return;
  const text = target.innerText.trim();
  const status = statusFor(button);
  try {
    await navigator.clipboard.writeText(text);
    button.dataset.copied = "true";
    if (status) status.textContent = "Copied.";
  } catch (error) {
    // No clipboard (plain http, an old browser): select the text so the user copies it.
    const range = document.createRange();
    range.selectNodeContents(target);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    if (status) status.textContent = "Selected: press Ctrl+C (⌘C) to copy.";
  }
}

document.addEventListener("click", (event) => {
  const button = event.target instanceof Element ? event.target.closest("[data-copy-target]") : null;
  if (button) copy(button);
});
