/* Møter og saker: small enhancements on top of pages that work without script (CSP script-src 'self').
 * - A long checkbox group (fieldset[data-filter]) gets a filter box: typing hides the names that do not match
 *   (ticked ones always stay visible) and a status line says how many are shown.
 * - Forms marked data-warn-unsaved say "Not saved yet" once edited, and the page asks before it is left with such
 *   changes (the minutes page saves each block through htmx, so saving one never loses what is typed in another).
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

  // Forms marked data-warn-unsaved: which of them hold edits not saved yet. A form saved through htmx is replaced
  // by the server's version of it (with its "Saved" state), so only the other blocks keep their edits.
  var dirty = [];

  function trackEdits() {
    document.addEventListener("input", function (event) {
      var form = event.target.closest && event.target.closest("form[data-warn-unsaved]");
      if (!form) { return; }
      if (dirty.indexOf(form) === -1) { dirty.push(form); }
      var note = form.querySelector("[data-save-state]");
      if (note) { note.textContent = note.getAttribute("data-unsaved"); }
    });
    document.addEventListener("submit", function (event) {
      dirty = dirty.filter(function (form) { return form !== event.target; });
    }, true);
    window.addEventListener("beforeunload", function (event) {
      var waiting = dirty.filter(function (form) { return document.body.contains(form); });
      if (!waiting.length) { return undefined; }
      var message = waiting[0].getAttribute("data-warn-unsaved");
      event.preventDefault();
      event.returnValue = message;
      return message;
    });
    // A block with errors comes back as 400: show it (with the errors at the fields) instead of dropping it.
    document.addEventListener("htmx:beforeSwap", function (event) {
      if (event.detail.xhr && event.detail.xhr.status === 400) {
        event.detail.shouldSwap = true;
        event.detail.isError = false;
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("fieldset[data-filter]"), setUpFilter);
    trackEdits();
  });
})();
