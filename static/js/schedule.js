// The rooms × time grid: press on free time and drag to choose a period, or tap to take the proposed one;
// either opens the room's booking form prefilled with the day, start and end. Without this file every free
// time is still a plain link to the same form.
"use strict";

(() => {
  const pad = (n) => String(n).padStart(2, "0");
  const clock = (minutes) => `${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;

  // The minute of the day under the pointer, within the lane's hours.
  const minuteAt = (lane, clientX) => {
    const box = lane.getBoundingClientRect();
    const from = Number(lane.dataset.from) * 60;
    const to = Number(lane.dataset.to) * 60;
    const share = Math.min(Math.max((clientX - box.left) / box.width, 0), 1);
    return from + share * (to - from);
  };

  // The period asked for by a press at `a` and a release at `b`, on the room's grid, inside the free time,
  // between the room's shortest and longest booking.
  const period = (lane, free, a, b) => {
    const slot = Number(lane.dataset.slot) || 30;
    const shortest = Math.max(Number(lane.dataset.min) || slot, slot);
    const longest = Number(lane.dataset.max) || 24 * 60;
    const freeStart = Number(free.dataset.start);
    const freeEnd = Number(free.dataset.end);
    let start = Math.floor(Math.min(a, b) / slot) * slot;
    let end = Math.ceil(Math.max(a, b) / slot) * slot;
    if (end - start < slot) end = start + slot;
    start = Math.max(start, freeStart);
    end = Math.min(end, freeEnd);
    if (end - start < shortest) {
      end = Math.min(start + shortest, freeEnd);
      start = Math.max(Math.min(start, end - shortest), freeStart);
    }
    if (end - start > longest) end = start + longest;
    return { start, end };
  };

  const bookingUrl = (lane, chosen) => {
    const query = new URLSearchParams({ date: lane.dataset.date, start: clock(chosen.start), end: chosen.end >= 1440 ? "24:00" : clock(chosen.end) });
    const carry = lane.dataset.carry ? `&${lane.dataset.carry}` : "";
    return `${lane.dataset.book}?${query.toString()}${carry}#book`;
  };

  let drag = null;

  const show = (lane, chosen) => {
    let mark = lane.querySelector(".sched-selection");
    if (!mark) {
      mark = document.createElement("span");
      mark.className = "sched-selection";
      lane.appendChild(mark);
    }
    const from = Number(lane.dataset.from) * 60;
    const to = Number(lane.dataset.to) * 60;
    mark.style.left = `${((chosen.start - from) / (to - from)) * 100}%`;
    mark.style.width = `${((chosen.end - chosen.start) / (to - from)) * 100}%`;
    mark.textContent = `${clock(chosen.start)}–${chosen.end >= 1440 ? "24:00" : clock(chosen.end)}`;
  };

  const clear = () => {
    document.querySelectorAll(".sched-selection").forEach((mark) => mark.remove());
    drag = null;
  };

  document.addEventListener("pointerdown", (event) => {
    const free = event.target.closest(".sched-free");
    const lane = free && free.closest(".sched-lane[data-book]");
    if (!lane || event.button > 0) return;
    drag = { lane, free, anchor: minuteAt(lane, event.clientX), moved: false, pointer: event.pointerType };
    if (event.pointerType === "mouse" || event.pointerType === "pen") {
      event.preventDefault();
      lane.setPointerCapture(event.pointerId);
    }
  });

  document.addEventListener("pointermove", (event) => {
    if (!drag || drag.pointer === "touch") return;
    const here = minuteAt(drag.lane, event.clientX);
    if (Math.abs(here - drag.anchor) >= 5) drag.moved = true;
    if (drag.moved) show(drag.lane, period(drag.lane, drag.free, drag.anchor, here));
  });

  document.addEventListener("pointerup", (event) => {
    if (!drag) return;
    const { lane, free, anchor, moved } = drag;
    // A tap or a click proposes the room's usual length from the slot pressed; a drag takes what was drawn.
    const end = moved ? minuteAt(lane, event.clientX) : anchor + 1;
    const chosen = period(lane, free, anchor, end);
    if (!moved) {
      const slot = Number(lane.dataset.slot) || 30;
      const length = Math.max(Number(lane.dataset.length) || 60, slot);
      const start = Math.floor(anchor / slot) * slot;
      Object.assign(chosen, period(lane, free, start, start + length));
    }
    show(lane, chosen);
    drag = null;
    window.location.assign(bookingUrl(lane, chosen));
  });

  document.addEventListener("pointercancel", clear);
  // The link itself is followed only from the keyboard (Enter); pointers are handled above.
  document.addEventListener("click", (event) => {
    const free = event.target.closest(".sched-free");
    if (free && event.detail > 0 && free.closest(".sched-lane[data-book]")) event.preventDefault();
  });
  window.addEventListener("pageshow", clear);

  // On a phone the list is the easier way in: open it there.
  const openAgenda = (root) => {
    if (window.matchMedia("(max-width: 576px)").matches) {
      root.querySelectorAll("details[data-agenda]").forEach((details) => { details.open = true; });
    }
  };
  document.addEventListener("DOMContentLoaded", () => openAgenda(document));
  document.addEventListener("htmx:load", (event) => openAgenda(event.target));
})();
