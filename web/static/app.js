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
