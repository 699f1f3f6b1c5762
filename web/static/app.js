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

// Text pasted from Word or LibreOffice into a section keeps its shape. Their clipboard HTML
// (Word's paragraphs with mso-list, LibreOffice's <ol> and <ul>, either's <table>) becomes the
// register's plain-text model, which the server reads (decision.ParseText): paragraphs separated
// by blank lines, numbers kept as written, bullets as "• ", a table's cells separated by tabs.
// Without this script the browser pastes the clipboard's plain text, which the server reads too.
const collapse = (s) => s.replace(/[\s\u00a0]+/g, " ").trim();

// inlineText is an element's text, a <br> as a line break, leaving out Word's list markers
// (mso-list:Ignore), comments and nested lists.
const inlineText = (node) => {
  let out = "";
  for (const child of node.childNodes) {
    if (child.nodeType === Node.TEXT_NODE) {
      out += child.data;
    } else if (child.nodeType === Node.ELEMENT_NODE) {
      const tag = child.localName;
      if (tag === "br") {
        out += "\n";
      } else if (tag !== "ol" && tag !== "ul" && tag !== "style" && tag !== "script" &&
        !/mso-list:\s*ignore/i.test(child.getAttribute("data-style") || "")) {
        out += inlineText(child);
      }
    }
  }
  return out;
};
const lines = (s) => s.split("\n").map(collapse).filter((l) => l !== "").join("\n");

const roman = (n) => {
  const digits = [[10, "x"], [9, "ix"], [5, "v"], [4, "iv"], [1, "i"]];
  let out = "";
  for (const [value, letters] of digits) {
    for (; n >= value; n -= value) {
      out += letters;
    }
  }
  return out;
};
// listNumber writes the number of an <ol>'s item as the register reads numbers: "4.", "4.1.",
// "(a)", "(iv)".
const listNumber = (n, type, parent) => {
  switch (type) {
    case "a": return "(" + String.fromCharCode(96 + ((n - 1) % 26) + 1) + ")";
    case "A": return "(" + String.fromCharCode(64 + ((n - 1) % 26) + 1) + ")";
    case "i": return "(" + roman(n) + ")";
    case "I": return "(" + roman(n).toUpperCase() + ")";
  }
  return (parent ? parent.replace(/\.$/, "") + "." : "") + n + ".";
};

// pasteBlocks turns clipboard HTML into blocks of the plain-text model: {text, list}, where
// the lines of one list are joined by a line break and everything else by a blank line.
const pasteBlocks = (root) => {
  const blocks = [];
  let loose = "";
  const flush = () => {
    if (lines(loose) !== "") {
      blocks.push({ text: lines(loose), list: false });
    }
    loose = "";
  };
  const list = (el, parent) => {
    let n = Number.parseInt(el.getAttribute("start") || "1", 10) || 1;
    const type = el.getAttribute("type") || "1";
    for (const li of el.children) {
      if (li.localName !== "li") {
        continue;
      }
      if (li.hasAttribute("value")) {
        n = Number.parseInt(li.getAttribute("value"), 10) || n;
      }
      const marker = el.localName === "ol" ? listNumber(n, type, parent) : "•";
      const text = collapse(inlineText(li));
      if (text !== "") {
        blocks.push({ text: marker + " " + text, list: true });
      }
      for (const nested of li.querySelectorAll(":scope > ol, :scope > ul, :scope > * > ol, :scope > * > ul")) {
        list(nested, el.localName === "ol" && (type === "1") ? marker : "");
      }
      n++;
    }
  };
  const walk = (node) => {
    for (const child of node.childNodes) {
      if (child.nodeType === Node.TEXT_NODE) {
        loose += child.data;
        continue;
      }
      if (child.nodeType !== Node.ELEMENT_NODE) {
        continue;
      }
      const tag = child.localName;
      const style = child.getAttribute("data-style") || "";
      if (["style", "script", "head", "meta", "title", "link", "xml"].includes(tag)) {
        continue;
      }
      if (tag === "table") {
        flush();
        const rows = [];
        for (const tr of child.querySelectorAll("tr")) {
          if (tr.closest("table") === child) {
            rows.push([...tr.children].filter((c) => c.localName === "td" || c.localName === "th")
              .map((c) => collapse(inlineText(c))).join("\t"));
          }
        }
        if (rows.length > 0) {
          blocks.push({ text: rows.join("\n"), list: false });
        }
      } else if (tag === "ol" || tag === "ul") {
        flush();
        list(child, "");
      } else if (/^(p|h[1-6]|li|blockquote|pre)$/.test(tag)) {
        flush();
        const text = lines(inlineText(child));
        const marker = /mso-list:\s*l\d/i.test(style) && child.querySelector("[data-style*='mso-list']");
        if (marker) {
          // Word writes a list item's number or bullet in a span it marks mso-list:Ignore.
          let m = collapse(marker.textContent);
          if (!/^(\(?[0-9]{1,3}(\.[0-9]{1,3})*[.)]?|\(?[a-zA-Z]{1,5}[.)])$/.test(m)) {
            m = "•";
          } else if (/^[a-zA-Z]{1,5}\.$/.test(m)) {
            m = "(" + m.slice(0, -1) + ")";
          }
          if (text !== "") {
            blocks.push({ text: m + " " + text, list: true });
          }
        } else if (text !== "") {
          blocks.push({ text, list: false });
        }
      } else if (/^(div|section|article|body|main|center|font|span|o:p)$/.test(tag) && child.querySelector("p, div, table, ol, ul, h1, h2, h3, h4, h5, h6")) {
        flush();
        walk(child);
      } else {
        loose += inlineText(child);
      }
    }
    flush();
  };
  walk(root);
  let out = "";
  blocks.forEach((b, i) => {
    if (i > 0) {
      out += b.list && blocks[i - 1].list ? "\n" : "\n\n";
    }
    out += b.text;
  });
  return out;
};

document.addEventListener("paste", (event) => {
  const area = event.target;
  if (!(area instanceof HTMLTextAreaElement) || !area.hasAttribute("data-app-paste")) {
    return;
  }
  const html = event.clipboardData?.getData("text/html");
  if (!html) {
    return;
  }
  // The page's Content Security Policy refuses inline styles, in a parsed document too: Word's
  // style attributes, which say which paragraphs are list items, are read under another name.
  const inert = html.replace(/<style[\s\S]*?<\/style>/gi, "").replace(/(<[a-z][^>]*?\s)style(\s*=)/gi, "$1data-style$2");
  const text = pasteBlocks(new DOMParser().parseFromString(inert, "text/html").body);
  if (text === "") {
    return;
  }
  event.preventDefault();
  area.setRangeText(text, area.selectionStart, area.selectionEnd, "end");
  area.dispatchEvent(new Event("input", { bubbles: true }));
});
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

// Funders and recipients chosen as you type, with GOV.UK's accessible autocomplete. A text
// field (data-app-org-picker names the page's JSON list of names) still takes any name: one
// the register does not know is added when the form is saved, as the field's hint says. A
// select (an admin's merge) offers only its options. Without this script each stays a plain
// text field or select, and works the same. The component is loaded only by pages that have
// one; each form group (data-module="app-org-picker") is marked data-app-org-picker-init once
// its field is enhanced, as GOV.UK Frontend marks its own components.
const orgPickers = document.querySelectorAll('[data-module="app-org-picker"]');
if (orgPickers.length > 0) {
  import("/static/accessible-autocomplete.min.js").then(() => {
    for (const group of orgPickers) {
      const field = group.querySelector("[data-app-org-picker]");
      if (field) {
        enhanceOrgPicker(window.accessibleAutocomplete, field);
      }
      group.setAttribute("data-app-org-picker-init", "");
    }
  });
}

function enhanceOrgPicker(autocomplete, field) {
  // The component sets aria-describedby to its own hint, and removes it once something is
  // typed: the field's hint and error message are kept in it, as they were before.
  const describedBy = field.getAttribute("aria-describedby");
  const id = field.id;
  if (field instanceof HTMLSelectElement) {
    autocomplete.enhanceSelectElement({ selectElement: field, defaultValue: "", showAllValues: true, displayMenu: "overlay",
      tNoResults: () => "No organisation of that name" });
  } else {
    const listed = document.getElementById(field.dataset.appOrgPicker);
    const names = listed ? JSON.parse(listed.textContent) : [];
    const container = document.createElement("div");
    field.before(container);
    field.remove();
    autocomplete({
      element: container, id, name: field.name, defaultValue: field.value, minLength: 1,
      confirmOnBlur: false, displayMenu: "overlay",
      inputClasses: field.classList.contains("govuk-input--error") ? "govuk-input--error" : "",
      source: (query, populate) => {
        const q = query.toLocaleLowerCase();
        const starts = names.filter((n) => n.toLocaleLowerCase().startsWith(q));
        const within = names.filter((n) => !n.toLocaleLowerCase().startsWith(q) && n.toLocaleLowerCase().includes(q));
        populate(starts.concat(within).slice(0, 20));
      },
      tNoResults: () => "Not in the register: it will be added as a new organisation when you save",
    });
  }
  const input = document.getElementById(id);
  if (!input || !describedBy) {
    return;
  }
  const keep = () => {
    const now = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    const missing = describedBy.split(" ").filter((d) => !now.includes(d));
    if (missing.length > 0) {
      input.setAttribute("aria-describedby", now.concat(missing).join(" "));
    }
  };
  keep();
  new MutationObserver(keep).observe(input, { attributes: true, attributeFilter: ["aria-describedby"] });
}

// Passkey forms (adding one, or using one at sign-in and step-up) work only with this script.
if (document.querySelector("form[data-passkey]")) {
  import("/static/passkeys.js");
}
