// Check-in by camera where the browser can read QR codes itself (BarcodeDetector): the code's
// link opens this page with the ticket found. Without it (or without a camera) the section stays
// hidden: the typed code, the search and the phone's own camera app work without any script.
const section = document.querySelector("[data-scan]");
if (section && "BarcodeDetector" in window && navigator.mediaDevices?.getUserMedia) {
  section.hidden = false;
  const video = section.querySelector("[data-scan-video]");
  section.querySelector("[data-scan-start]").addEventListener("click", async () => {
    const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
    video.srcObject = stream;
    video.hidden = false;
    await video.play();
    const look = async () => {
      const [found] = await detector.detect(video).catch(() => []);
      if (found) {
        const url = new URL(found.rawValue, window.location.href);
        const code = url.searchParams.get("code");
        if (code) {
          stream.getTracks().forEach((track) => track.stop());
          const here = new URL(window.location.href);
          here.search = new URLSearchParams({ code }).toString();
          window.location.assign(here.toString());
          return;
        }
      }
      requestAnimationFrame(look);
    };
    look();
  });
}
