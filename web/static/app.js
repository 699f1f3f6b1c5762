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
// Part II prints only when asked for, and then is marked on every page (app.scss).
for (const button of document.querySelectorAll("[data-app-print-part-two]")) {
  button.hidden = false;
  button.addEventListener("click", () => {
    document.documentElement.classList.add("app-print-part-two");
    window.print();
  });
}
window.addEventListener("afterprint", () => document.documentElement.classList.remove("app-print-part-two"));

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
