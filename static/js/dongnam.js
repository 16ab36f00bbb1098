// The site's own behaviour, kept out of the templates so the Content-Security-Policy needs no
// 'unsafe-inline': templates mark elements with data-* attributes and this file acts on them.
"use strict";

(() => {
  // Timeline blocks carry their position as data-left / data-width (percent of the opening hours).
  // Setting them through element.style is allowed by the policy; a style="" attribute in the markup is not.
  const placeBlocks = (root) => {
    root.querySelectorAll(".timeline-block[data-left]").forEach((block) => {
      block.style.left = `${block.dataset.left}%`;
      block.style.width = `${block.dataset.width}%`;
    });
  };

  document.addEventListener("DOMContentLoaded", () => placeBlocks(document));
  // htmx swaps in a new timeline (earlier / later / day / week) and restores it from its history cache.
  document.addEventListener("htmx:load", (event) => placeBlocks(event.target));

  // htmx keeps a copy of the page's HTML for the back button; the positions set above would be saved in
  // it as style="" attributes, which the policy refuses when the copy is put back. Save it without them
  // and place the blocks again right after (same task: nothing is drawn in between).
  document.addEventListener("htmx:beforeHistorySave", (event) => {
    const root = event.detail.historyElt || document.body;
    root.querySelectorAll(".timeline-block[data-left]").forEach((block) => block.removeAttribute("style"));
    queueMicrotask(() => placeBlocks(root));
  });

  // <select data-submit-on-change>: choosing an option submits its form (the manager calendar's facility).
  document.addEventListener("change", (event) => {
    const select = event.target.closest("select[data-submit-on-change]");
    if (select && select.form) {
      select.form.requestSubmit ? select.form.requestSubmit() : select.form.submit();
    }
  });

  document.addEventListener("click", (event) => {
    // <button data-print>: print the page (the room's check-in QR sheet).
    if (event.target.closest("[data-print]")) {
      window.print();
      return;
    }
    // <input data-select-on-click>: select the whole value for copying (the calendar feed address).
    const field = event.target.closest("input[data-select-on-click]");
    if (field) {
      field.select();
    }
  });
})();

// Opening hours (the space's rules): [data-opening-hours-add] adds an empty from–to range to its weekday,
// a weekday without times reads "closed", and editing a time chooses the own hours over the inherited ones.
(() => {
  const refresh = (day) => {
    const open = [...day.querySelectorAll("input[type=time]")].some((input) => input.value);
    const closed = day.querySelector("[data-opening-hours-closed]");
    if (closed) {
      closed.hidden = open;
    }
  };

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-opening-hours-add]").forEach((button) => {
      button.hidden = false;
    });
  });

  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-opening-hours-add]");
    if (!button) {
      return;
    }
    const day = button.closest("[data-opening-hours-day]");
    const ranges = day.querySelector("[data-opening-hours-ranges]");
    const all = ranges.querySelectorAll("[data-opening-hours-range]");
    const range = all[all.length - 1].cloneNode(true);
    range.querySelectorAll("input").forEach((input) => {
      input.value = "";
    });
    ranges.append(range);
    range.querySelector("input").focus();
  });

  document.addEventListener("input", (event) => {
    const day = event.target.closest("[data-opening-hours-day]");
    if (!day) {
      return;
    }
    refresh(day);
    const own = day.closest("[data-opening-hours]").querySelector("[data-opening-hours-own]");
    if (own) {
      own.checked = true;
    }
  });
})();

// <input type="checkbox" data-select-all="NAME">: checks or clears every checkbox named NAME on the page (the
// approval queue's bulk approve), and shows whether all, some or none of them are checked.
(() => {
  const boxesOf = (master) => document.querySelectorAll(`input[type="checkbox"][name="${CSS.escape(master.dataset.selectAll)}"]`);

  const sync = () => {
    document.querySelectorAll("input[data-select-all]").forEach((master) => {
      const boxes = [...boxesOf(master)];
      const checked = boxes.filter((box) => box.checked).length;
      master.checked = boxes.length > 0 && checked === boxes.length;
      master.indeterminate = checked > 0 && checked < boxes.length;
    });
  };

  document.addEventListener("change", (event) => {
    const master = event.target.closest("input[data-select-all]");
    if (master) {
      boxesOf(master).forEach((box) => { box.checked = master.checked; });
    }
    if (master || event.target.matches('input[type="checkbox"][name]')) {
      sync();
    }
  });
  // The browser may restore checked boxes when the page is shown again (back button).
  document.addEventListener("DOMContentLoaded", sync);
  window.addEventListener("pageshow", sync);
})();

// A failed form's error summary (templates/includes/error_summary.html): focused and in view when the page loads,
// so the reader hears and sees every error first; a link in it moves to its field and focuses it.
(() => {
  document.addEventListener("DOMContentLoaded", () => {
    const summary = document.querySelector("[data-error-summary]");
    if (!summary) {
      return;
    }
    const details = summary.closest("details");
    if (details) {
      details.open = true;
    }
    summary.focus({ preventScroll: true });
    summary.scrollIntoView({ block: "start" });
  });

  document.addEventListener("click", (event) => {
    const link = event.target.closest("[data-error-summary] a[href^='#']");
    const field = link && document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (field) {
      event.preventDefault();
      const label = field.closest("label") || document.querySelector(`label[for="${CSS.escape(field.id)}"]`);
      (label || field).scrollIntoView({ block: "start" });
      // A widget of several inputs (the opening hours) is linked by its box: focus its first input.
      const input = field.matches("input, select, textarea") ? field : field.querySelector("input, select, textarea");
      (input || field).focus({ preventScroll: true });
    }
  });
})();

// <button data-copy="ID">: copy the value of the field #ID (the calendar feed address) and say so in the
// [data-copy-status="ID"] element. Without the clipboard API (plain http, older browsers) the field's text is
// selected instead, for the reader to copy.
(() => {
  const say = (id, text) => {
    const status = document.querySelector(`[data-copy-status="${CSS.escape(id)}"]`);
    if (status) {
      status.textContent = text;
    }
  };

  document.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-copy]");
    const field = button && document.getElementById(button.dataset.copy);
    if (!field) {
      return;
    }
    const selectIt = () => {
      field.focus();
      field.select();
      say(button.dataset.copy, button.dataset.selected || "");
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(() => say(button.dataset.copy, button.dataset.copied || ""), selectIt);
    } else {
      selectIt();
    }
  });
})();
