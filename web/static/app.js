// Progressive enhancement only: every page works without this file.
import { initAll } from "/static/govuk-frontend.min.js";

document.body.classList.add("js-enabled");
if ("noModule" in HTMLScriptElement.prototype) {
  document.body.classList.add("govuk-frontend-supported");
}
initAll();

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
