// Progressive enhancement for the admin pages. Every control here also works without this
// file: the buttons are submit buttons the server answers by rendering the form again.
"use strict";

function setLocked(field, locked) {
  const rows = field.querySelector("[data-url-rows]");
  const view = field.querySelector("[data-locked-view]");
  const toggle = field.querySelector("[data-lock-toggle]");
  const inputs = Array.from(rows.querySelectorAll("input[name='redirect_url']"));
  if (locked) {
    const urls = inputs.map((input) => input.value.trim()).filter((value) => value !== "");
    for (const input of inputs) {
      if (input.value.trim() === "") input.closest("li").remove();
      else input.type = "hidden";
    }
    // Rows left keep labels and ids in step with their place, as the server numbers them, so the next unlock adds no duplicate id.
    rows.querySelectorAll("li").forEach((item, index) => labelRow(item, index));
    view.textContent = urls.length ? urls.join(", ") : field.dataset.textNone;
  } else {
    for (const input of inputs) input.type = "text";
    addRow(rows);
  }
  rows.hidden = locked;
  view.hidden = !locked;
  field.querySelector("[data-unlocked-only]").hidden = locked;
  field.querySelector("[data-lock-state]").value = locked ? "true" : "false";
  field.dataset.locked = locked ? "true" : "false";
  toggle.value = locked ? "unlock" : "lock";
  toggle.querySelector("[data-lock-label]").textContent = locked ? field.dataset.textUnlock : field.dataset.textLock;
  if (!locked) rows.querySelector("li:last-child input").focus();
}

function labelRow(item, index) {
  let label = item.querySelector("label");
  if (!label) {
    label = document.createElement("label");
    label.className = "visually-hidden";
    item.prepend(label);
  }
  const input = item.querySelector("input");
  input.id = `redirect_url_${index}`;
  label.htmlFor = input.id;
  // The page carries its language's wording; "{index}" marks where the row number goes.
  label.textContent = item.closest("[data-lockable]").dataset.textRow.replace("{index}", String(index + 1));
}

function addRow(rows) {
  const item = document.createElement("li");
  const input = document.createElement("input");
  input.type = "text";
  input.inputMode = "url";
  input.name = "redirect_url";
  input.placeholder = "https://instance.example/oauth_redirect.do";
  item.append(input);
  rows.append(item);
  labelRow(item, rows.querySelectorAll("li").length - 1);
  return input;
}

document.addEventListener("click", (event) => {
  const target = event.target instanceof Element ? event.target : null;
  const toggle = target && target.closest("[data-lock-toggle]");
  if (toggle) {
    event.preventDefault();
    const field = toggle.closest("[data-lockable]");
    setLocked(field, field.dataset.locked !== "true");
    return;
  }
  const add = target && target.closest("[data-add-row]");
  if (add) {
    event.preventDefault();
    addRow(add.closest("[data-lockable]").querySelector("[data-url-rows]")).focus();
    return;
  }
  const copy = target && target.closest("[data-copy]");
  if (copy) {
    const source = document.getElementById(copy.dataset.copy);
    navigator.clipboard.writeText(source.value).then(
      () => { copy.textContent = copy.dataset.textCopied; },
      () => { source.select(); copy.textContent = copy.dataset.textPress; },
    );
  }
});

// A second press of a save button while the first save is on its way would post the form
// again: the first creates the record, the second is refused as a duplicate, and its error page
// replaces the one that showed the new client secret, which is shown only once.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || form.method !== "post") return;
  if (form.dataset.submitting === "true") event.preventDefault();
  else form.dataset.submitting = "true";
});

// Back to a page kept in the back/forward cache: its forms may be sent again.
window.addEventListener("pageshow", (event) => {
  if (event.persisted) for (const form of document.querySelectorAll("form[data-submitting]")) delete form.dataset.submitting;
});

document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("[data-copy]")) if (window.isSecureContext && navigator.clipboard) button.hidden = false;
  // A refused save says so first: the edit-conflict notice, else the list of field errors.
  const summary = document.getElementById("edit-conflict") ?? document.getElementById("error-summary");
  if (summary) summary.focus();
  // Signed in again after a session ended mid-form: straight back to the form with what was typed.
  const resume = document.querySelector("form[data-resume]");
  if (resume) resume.submit();
});
