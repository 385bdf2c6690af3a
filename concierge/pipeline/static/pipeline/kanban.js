/* Kanban: native HTML5 drag and drop; a drop posts the move with htmx and the server re-renders the board.
   Dropping on a lost column first asks for the lost reason. The card's version travels with the move, so a stale
   board gets a clear message instead of overwriting someone else's change. */
(function () {
  "use strict";
  var dragged = null;
  var pending = null;

  function csrfHeaders() {
    var raw = document.body.getAttribute("hx-headers");
    try { return raw ? JSON.parse(raw) : {}; } catch (e) { return {}; }
  }

  function post(card, values) {
    window.htmx.ajax("POST", card.dataset.moveUrl + window.location.search, {
      target: "#board", swap: "outerHTML", values: values, headers: csrfHeaders()
    });
  }

  document.addEventListener("dragstart", function (e) {
    var card = e.target.closest && e.target.closest(".kanban-card");
    if (!card) return;
    dragged = card;
    card.classList.add("dragging");
    e.dataTransfer.effectAllowed = "move";
    e.dataTransfer.setData("text/plain", card.dataset.id);
  });
  document.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("dragging");
    document.querySelectorAll(".kanban-col.drag-over").forEach(function (c) { c.classList.remove("drag-over"); });
  });
  document.addEventListener("dragover", function (e) {
    var col = e.target.closest && e.target.closest(".kanban-col");
    if (!col || !dragged) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = "move";
    col.classList.add("drag-over");
  });
  document.addEventListener("dragleave", function (e) {
    var col = e.target.closest && e.target.closest(".kanban-col");
    if (col && !col.contains(e.relatedTarget)) col.classList.remove("drag-over");
  });
  document.addEventListener("drop", function (e) {
    var col = e.target.closest && e.target.closest(".kanban-col");
    if (!col || !dragged) return;
    e.preventDefault();
    col.classList.remove("drag-over");
    var card = dragged;
    dragged = null;
    if (col.dataset.stage === card.dataset.stage) return;
    var values = { stage: col.dataset.stage, version: card.dataset.version };
    if (col.dataset.lost === "1") {
      pending = { card: card, values: values };
      window.bootstrap.Modal.getOrCreateInstance(document.getElementById("lose-modal")).show();
      return;
    }
    col.querySelector(".kanban-cards").prepend(card);
    post(card, values);
  });
  document.addEventListener("submit", function (e) {
    if (e.target.id !== "lose-form" || !pending) return;
    e.preventDefault();
    var data = new FormData(e.target);
    pending.values.lost_reason = data.get("lost_reason");
    pending.values.lost_reason_text = data.get("lost_reason_text") || "";
    post(pending.card, pending.values);
    pending = null;
    window.bootstrap.Modal.getOrCreateInstance(document.getElementById("lose-modal")).hide();
  });
})();
