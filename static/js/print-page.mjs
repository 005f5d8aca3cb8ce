// "Print this page" on a training certificate (templates/training/certificate.html).
//
// The button is hidden in the markup and shown here, so it only appears when it can work.
// Without JavaScript the page says how to print with the browser, and prints the same way:
// the certificate's print stylesheet leaves out everything but the certificate.
for (const button of document.querySelectorAll("[data-app-print-page]")) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}
