// Warn staff before their idle session ends, and let them stay signed in (WCAG 2.2.1).
//
// The server ends a staff session after HARMSPORTAL_STAFF_IDLE_SECONDS without a request
// (StaffSessionTimeoutMiddleware). This page was the last request, so the session ends that
// long after it loaded. `warningSeconds` before then, the <dialog> in
// templates/includes/timeout_warning.html opens as a modal:
// - "Stay signed in" (or Escape) POSTs to the keep-alive URL, which restarts the server's
//   timer, and restarts this one;
// - "Sign out" is an ordinary POST form;
// - when the time runs out, the browser goes to the sign-in page, coming back here after.
// Without JavaScript the dialog never opens and the server-side timeout applies as before.

const ANNOUNCE_EVERY_SECONDS = 15;

function describe(seconds) {
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  const parts = [];
  if (minutes) parts.push(`${minutes} minute${minutes === 1 ? "" : "s"}`);
  if (rest || !minutes) parts.push(`${rest} second${rest === 1 ? "" : "s"}`);
  return parts.join(" ");
}

class TimeoutWarning {
  constructor(dialog) {
    this.dialog = dialog;
    this.timeoutMs = Number(dialog.dataset.timeoutSeconds) * 1000;
    this.warningMs = Math.min(Number(dialog.dataset.warningSeconds) * 1000, this.timeoutMs);
    this.extendUrl = dialog.dataset.extendUrl;
    this.signInUrl = dialog.dataset.signInUrl;
    this.countdown = dialog.querySelector("[data-timeout-countdown]");
    this.countdownText = dialog.querySelector("[data-timeout-countdown-fallback]");
    this.announcement = dialog.querySelector("[data-timeout-announcement]");
    this.stayButton = dialog.querySelector("[data-timeout-stay]");
    this.signOutForm = dialog.querySelector("[data-timeout-sign-out]");
    this.csrfToken = dialog.querySelector('input[name="csrfmiddlewaretoken"]').value;
    this.returnFocusTo = null;
    this.leaving = false;
    this.warnTimer = null;
    this.tickTimer = null;
    this.lastAnnounced = null;

    this.stayButton.addEventListener("click", () => this.dialog.close());
    // Escape fires `cancel` and then closes the dialog; every way of closing it, other than
    // signing out or running out of time, means "stay signed in".
    this.dialog.addEventListener("close", () => this.onClose());
    this.signOutForm.addEventListener("submit", () => {
      this.leaving = true;
    });
    this.start();
  }

  start() {
    window.clearTimeout(this.warnTimer);
    window.clearInterval(this.tickTimer);
    this.expiresAt = Date.now() + this.timeoutMs;
    this.warnTimer = window.setTimeout(() => this.open(), this.timeoutMs - this.warningMs);
  }

  secondsLeft() {
    return Math.max(0, Math.ceil((this.expiresAt - Date.now()) / 1000));
  }

  open() {
    if (this.dialog.open) return;
    this.returnFocusTo = document.activeElement;
    this.lastAnnounced = null;
    this.announcement.textContent = "";
    this.update();
    this.dialog.showModal();
    this.stayButton.focus();
    this.tickTimer = window.setInterval(() => this.update(), 1000);
  }

  update() {
    const left = this.secondsLeft();
    if (left <= 0) {
      this.expire();
      return;
    }
    this.countdown.textContent = describe(left);
    // Screen readers hear the time left when the dialog opens (it describes the dialog) and
    // then at most every 15 seconds, not every second.
    const step = Math.ceil(left / ANNOUNCE_EVERY_SECONDS);
    if (this.lastAnnounced === null) {
      this.countdownText.textContent = describe(left);
      this.lastAnnounced = step;
    } else if (step !== this.lastAnnounced) {
      const rounded = step * ANNOUNCE_EVERY_SECONDS;
      this.countdownText.textContent = describe(rounded);
      this.announcement.textContent = `We will sign you out in ${describe(rounded)}.`;
      this.lastAnnounced = step;
    }
  }

  onClose() {
    window.clearInterval(this.tickTimer);
    if (this.leaving) return;
    const target = this.returnFocusTo;
    this.returnFocusTo = null;
    if (target && target.isConnected && typeof target.focus === "function") {
      target.focus();
    }
    this.extend();
  }

  async extend() {
    let response;
    try {
      response = await fetch(this.extendUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": this.csrfToken },
      });
    } catch {
      // The network failed, so the server's timer did not restart: keep the old deadline
      // and warn again at once, so nobody thinks they have more time than they do.
      this.warnTimer = window.setTimeout(() => this.open(), 1000);
      return;
    }
    if (response.status === 204 && !response.redirected) {
      this.start();
    } else {
      // The session had already ended (a redirect to sign in) or the request was refused.
      this.expire();
    }
  }

  expire() {
    this.leaving = true;
    window.clearInterval(this.tickTimer);
    window.clearTimeout(this.warnTimer);
    const next = window.location.pathname + window.location.search;
    window.location.assign(`${this.signInUrl}?next=${encodeURIComponent(next)}`);
  }
}

for (const dialog of document.querySelectorAll('dialog[data-module="app-timeout-warning"]')) {
  if (typeof dialog.showModal === "function" && Number(dialog.dataset.timeoutSeconds) > 0) {
    new TimeoutWarning(dialog);
  }
}
