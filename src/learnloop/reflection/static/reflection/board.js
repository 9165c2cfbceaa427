// Drag-and-drop grouping in the group phase: drop a card on a group to add it, or on another
// loose card to group the two. It posts the same form as the tick-and-submit way (the keyboard
// alternative), then reloads the board.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("group-form");
  if (!form) return;
  let dragged = null;

  const post = (fields) => {
    const body = new FormData();
    body.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
    for (const [name, value] of fields) body.append(name, value);
    fetch(form.action, {method: "POST", body, credentials: "same-origin"}).then(() => window.location.reload());
  };
  const dropTarget = (element) => element.closest("[data-drop-group], li[draggable=true]");

  document.addEventListener("dragstart", (event) => {
    const card = event.target.closest && event.target.closest("li[draggable=true]");
    if (!card) return;
    dragged = card;
    event.dataTransfer.setData("text/plain", card.dataset.card);
    event.dataTransfer.effectAllowed = "move";
  });
  document.addEventListener("dragover", (event) => {
    const target = dragged && dropTarget(event.target);
    if (target && target !== dragged) event.preventDefault();
  });
  document.addEventListener("drop", (event) => {
    const target = dragged && dropTarget(event.target);
    if (!target || target === dragged) return;
    event.preventDefault();
    if (target.dataset.dropGroup) {
      post([["cards", dragged.dataset.card], ["group", target.dataset.dropGroup], ["title", ""]]);
    } else {
      post([["cards", target.dataset.card], ["cards", dragged.dataset.card], ["title", target.dataset.cardText]]);
    }
    dragged = null;
  });
});
