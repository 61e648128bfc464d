/* Møter og saker: small enhancements on top of pages that work without script (CSP script-src 'self').
 * - A long checkbox group (fieldset[data-filter]) gets a filter box: typing hides the names that do not match
 *   (ticked ones always stay visible) and a status line says how many are shown.
 * - A form marked data-warn-unsaved asks before the page is left with changes that were not saved.
 */
(function () {
  "use strict";

  function setUpFilter(fieldset) {
    var group = fieldset.querySelector(".checkbox-group");
    if (!group) { return; }
    var options = Array.prototype.slice.call(group.querySelectorAll(".ds-field"));
    if (options.length < 6) { return; }
    var id = (fieldset.querySelector("input") || {}).id + "_filter";
    var wrapper = document.createElement("div");
    wrapper.className = "ds-field gov-filter";
    var label = document.createElement("label");
    label.className = "ds-label";
    label.setAttribute("data-weight", "regular");
    label.htmlFor = id;
    label.textContent = fieldset.getAttribute("data-filter");
    var input = document.createElement("input");
    input.className = "ds-input";
    input.type = "search";
    input.id = id;
    input.autocomplete = "off";
    var status = document.createElement("p");
    status.className = "ds-sr-only";
    status.setAttribute("role", "status");
    wrapper.appendChild(label);
    wrapper.appendChild(input);
    wrapper.appendChild(status);
    group.parentNode.insertBefore(wrapper, group);
    group.classList.add("gov-scroll-group");
    input.addEventListener("input", function () {
      var query = input.value.trim().toLowerCase();
      var shown = 0;
      options.forEach(function (option) {
        var box = option.querySelector("input");
        var text = option.textContent.toLowerCase();
        var visible = !query || text.indexOf(query) !== -1 || (box && box.checked);
        option.hidden = !visible;
        if (visible) { shown += 1; }
      });
      status.textContent = shown + " / " + options.length;
    });
  }

  function warnUnsaved(form) {
    var changed = false;
    var message = form.getAttribute("data-warn-unsaved");
    var note = form.querySelector("[data-save-state]");
    form.addEventListener("input", function () {
      changed = true;
      if (note) { note.textContent = note.getAttribute("data-unsaved"); }
    });
    form.addEventListener("submit", function () { changed = false; });
    window.addEventListener("beforeunload", function (event) {
      if (!changed) { return undefined; }
      event.preventDefault();
      event.returnValue = message;
      return message;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("fieldset[data-filter]"), setUpFilter);
    Array.prototype.forEach.call(document.querySelectorAll("form[data-warn-unsaved]"), warnUnsaved);
  });
})();
