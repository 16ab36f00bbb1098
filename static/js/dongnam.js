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
