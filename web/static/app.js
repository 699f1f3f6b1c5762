// Progressive enhancement only: every page works without this file.
import { initAll } from "/static/govuk-frontend.min.js";

document.body.classList.add("js-enabled");
if ("noModule" in HTMLScriptElement.prototype) {
  document.body.classList.add("govuk-frontend-supported");
}
initAll();

// A radio that reveals a question (a comment, a declared interest, a reason, a date) shows it
// only while chosen; without this script every such question stays shown. This stands in for
// GOV.UK Frontend's reveal, which also sets aria-expanded on the radio: ARIA does not allow
// that on a radio, Chrome-based screen readers ignore it there, and the question follows its
// radio in reading order anyway. aria-controls, allowed on any element, names what it shows.
const revealers = document.querySelectorAll("input[type=radio][data-app-reveals]");
const syncReveals = () => {
  for (const radio of revealers) {
    document.getElementById(radio.dataset.appReveals)?.classList.toggle("govuk-radios__conditional--hidden", !radio.checked);
  }
};
for (const radio of revealers) {
  radio.setAttribute("aria-controls", radio.dataset.appReveals);
}
// Choosing one radio of a group unchooses the others without telling them, so every reveal is
// brought up to date on any radio's change (a click, Space or an arrow key).
document.addEventListener("change", (event) => {
  if (event.target instanceof HTMLInputElement && event.target.type === "radio") {
    syncReveals();
  }
});
// A page restored from the back-forward cache keeps the choices made on it.
window.addEventListener("pageshow", syncReveals);
syncReveals();

// A print button, shown only where it can work; the browser's own print works everywhere.
for (const button of document.querySelectorAll("[data-app-print]")) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}

// A table wrapper is a tab stop only while its table is wider than it, so that a keyboard can
// scroll it; elsewhere it would be a stop that does nothing.
const scrollers = document.querySelectorAll("[data-app-scroll]");
const markScrollable = () => {
  for (const w of scrollers) {
    if (w.scrollWidth > w.clientWidth) {
      w.tabIndex = 0;
    } else {
      w.removeAttribute("tabindex");
    }
  }
};
markScrollable();
new ResizeObserver(markScrollable).observe(document.documentElement);
for (const w of scrollers) {
  new ResizeObserver(markScrollable).observe(w);
}

// The date on a printed page is the day it is printed.
window.addEventListener("beforeprint", () => {
  const today = new Date().toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "Europe/London" });
  for (const e of document.querySelectorAll("[data-app-printed]")) {
    e.textContent = today;
  }
});

// On a phone the list's filters stack above the results: they start folded behind a button
// (the Ministry of Justice filter pattern's enhancement), unless one of them is in error; on a
// wider screen they sit beside the results and the button goes.
const filterToggle = document.querySelector("[data-app-filter-toggle]");
const filterPanel = document.getElementById("filter-panel");
if (filterToggle && filterPanel) {
  const narrow = window.matchMedia("(max-width: 40.0525em)");
  const skip = document.querySelector(".app-filter-skip");
  const show = (open) => {
    filterPanel.hidden = !open;
    if (skip) {
      skip.hidden = !open;
    }
    filterToggle.setAttribute("aria-expanded", String(open));
    filterToggle.textContent = open ? "Hide filters" : "Show filters";
  };
  const fit = () => {
    filterToggle.hidden = !narrow.matches;
    show(!narrow.matches || filterPanel.hasAttribute("data-app-filter-errors"));
  };
  filterToggle.addEventListener("click", () => show(filterPanel.hidden));
  narrow.addEventListener("change", fit);
  fit();
}

// The timeout warning (GOV.UK's pattern): a dialog before a signed-in person is signed out for
// want of activity, with "Stay signed in", which reads /sign-in/keep-alive and so moves the
// session's expiry on. Every page a person opens moves it on too, in any tab: each tab notes
// the time of its page in localStorage, and the warning waits for the latest. Escape stays
// signed in. Past the time, the dialog says so and that what was typed is still on the page
// (a form sent then is kept by the server until the person signs in again).
{
  const dialog = document.querySelector("dialog[data-app-timeout]");
  if (dialog && typeof dialog.showModal === "function") {
    const idle = Number(dialog.dataset.idleSeconds) * 1000;
    const warn = Number(dialog.dataset.warnSeconds) * 1000;
    const key = "app-last-request";
    let lastRequest = Date.now();
    let timer = 0;
    let ticker = 0;
    const note = () => {
      try {
        localStorage.setItem(key, String(lastRequest));
      } catch {
        // Storage refused (private browsing): this tab's own time still counts.
      }
    };
    const latest = () => {
      let other = 0;
      try {
        other = Number(localStorage.getItem(key)) || 0;
      } catch {
        other = 0;
      }
      return Math.max(lastRequest, other);
    };
    const part = (selector) => dialog.querySelector(selector);
    const inWords = (ms) => {
      const s = Math.max(0, Math.ceil(ms / 1000));
      if (s >= 60) {
        const m = Math.ceil(s / 60);
        return m === 1 ? "1 minute" : m + " minutes";
      }
      return s === 1 ? "1 second" : s + " seconds";
    };
    const schedule = () => {
      clearTimeout(timer);
      timer = setTimeout(check, Math.max(0, latest() + idle - warn - Date.now()));
    };
    const signedOut = () => {
      clearInterval(ticker);
      const minutes = Math.max(1, Math.round(idle / 60000));
      part("[data-app-timeout-heading]").textContent = "You have been signed out";
      part("[data-app-timeout-text]").textContent = "You were signed out after " +
        (minutes === 1 ? "1 minute" : minutes + " minutes") + " without activity. Anything you typed on this page is " +
        "still here: save it, sign in again when asked, and it will be kept for you.";
      part("[data-app-timeout-stay]").hidden = true;
      part("[data-app-timeout-sign-out]").hidden = true;
      const close = part("[data-app-timeout-close]");
      close.hidden = false;
      close.focus();
    };
    const tick = () => {
      const left = latest() + idle - Date.now();
      if (left > warn + 1000) {
        // Another tab was used meanwhile: the session lasts longer.
        clearInterval(ticker);
        dialog.close();
        schedule();
      } else if (left <= 0) {
        signedOut();
      } else {
        part("[data-app-timeout-left]").textContent = inWords(left);
      }
    };
    function check() {
      if (latest() + idle - warn > Date.now() + 1000) {
        schedule();
        return;
      }
      tick();
      dialog.showModal();
      part("[data-app-timeout-stay]").focus();
      clearInterval(ticker);
      ticker = setInterval(tick, 1000);
    }
    const stay = async () => {
      let response;
      try {
        response = await fetch("/sign-in/keep-alive", { credentials: "same-origin", cache: "no-store" });
      } catch {
        return; // Offline for now: the dialog stays, and so does the button.
      }
      if (response.status !== 204) {
        signedOut();
        return;
      }
      lastRequest = Date.now();
      note();
      clearInterval(ticker);
      dialog.close();
      schedule();
    };
    part("[data-app-timeout-stay]").addEventListener("click", stay);
    part("[data-app-timeout-close]").addEventListener("click", () => dialog.close());
    dialog.addEventListener("cancel", (event) => {
      if (!part("[data-app-timeout-stay]").hidden) {
        event.preventDefault();
        stay();
      }
    });
    note();
    schedule();
  }
}
