// "Use my location" on the public letter page: fills the lookup form's hidden lat/lon from the
// browser's geolocation and submits it. Without script (or without permission) the postal code
// and district fields work as they are.
const form = document.querySelector("[data-locate-form]");
const button = form?.querySelector("[data-locate]");
if (form && button && "geolocation" in navigator) {
  const status = form.querySelector("[data-locate-status]");
  button.hidden = false;
  button.addEventListener("click", () => {
    if (status) status.textContent = "Finding where you are…";
    navigator.geolocation.getCurrentPosition(
      (position) => {
        form.querySelector("[name=lat]").value = position.coords.latitude.toFixed(6);
        form.querySelector("[name=lon]").value = position.coords.longitude.toFixed(6);
        const code = form.querySelector("[name=postal_code]");
        if (code) code.value = "";
        form.submit();
      },
      () => {
        if (status) status.textContent = "Your location is not available: enter your postal code.";
      },
      { timeout: 10000 },
    );
  });
}
