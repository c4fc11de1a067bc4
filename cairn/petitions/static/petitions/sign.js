// The public petition page is cached (by Cairn and by any CDN in front of it), so its signing form
// carries no CSRF token. This module fetches one, with its cookie, from the uncached address in the
// form's data-token-url and puts it in the form — when the visitor starts on the form (focus,
// pointer, key), so that readers who only read cost the server nothing. Without JavaScript (or if
// Sign is pressed before the token arrived) the server answers with the form again, now with a
// token, asking to press Sign once more: nothing is signed without a token.
const armed = new WeakSet();

async function fetchToken(form) {
  if (armed.has(form)) return;
  armed.add(form);
  const input = form.querySelector("input[name=csrfmiddlewaretoken]");
  if (!input || input.value) return; // a form rendered uncached has its token already
  try {
    const response = await fetch(form.dataset.tokenUrl, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
      cache: "no-store",
    });
    if (!response.ok) throw new Error(String(response.status));
    input.value = (await response.json()).token;
  } catch (error) {
    armed.delete(form); // try again on the next interaction
  }
}

for (const kind of ["focusin", "pointerdown", "keydown"]) {
  document.addEventListener(kind, (event) => {
    const form = event.target.closest && event.target.closest("form[data-token-url]");
    if (form) fetchToken(form);
  });
}
