/* Type to narrow a long organisation list: a search box above each select that carries data-filter-label. Options
   that do not match are hidden and disabled (so the arrow keys skip them), empty groups are hidden, and the number of
   matches is announced. Without JavaScript the select works as it is. Loaded as a file: the CSP allows no inline
   script. */
(function () {
  "use strict";

  function setup(select) {
    var id = select.id + "-filter";
    var wrapper = document.createElement("div");
    wrapper.className = "ds-field receiver-filter";
    var label = document.createElement("label");
    label.className = "ds-label";
    label.htmlFor = id;
    label.textContent = select.getAttribute("data-filter-label");
    var input = document.createElement("input");
    input.type = "search";
    input.id = id;
    input.className = "ds-input";
    input.autocomplete = "off";
    input.setAttribute("aria-controls", select.id);
    var status = document.createElement("p");
    status.className = "ds-sr-only";
    status.setAttribute("role", "status");
    wrapper.appendChild(label);
    wrapper.appendChild(input);
    wrapper.appendChild(status);
    select.parentNode.insertBefore(wrapper, select);

    input.addEventListener("input", function () {
      var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = [];
      Array.prototype.forEach.call(select.querySelectorAll("optgroup"), function (group) {
        var any = false;
        Array.prototype.forEach.call(group.querySelectorAll("option"), function (option) {
          var text = (group.label + " " + option.textContent).toLowerCase();
          var match = words.every(function (word) { return text.indexOf(word) !== -1; });
          option.hidden = !match;
          option.disabled = !match && !option.selected;
          if (match) { any = true; shown.push(option); }
        });
        group.hidden = !any;
      });
      if (shown.length === 1) { shown[0].selected = true; }
      status.textContent = select.getAttribute("data-filter-count").replace("%s", String(shown.length));
    });
    // Enter in the search box goes to the list instead of sending the report.
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); select.focus(); }
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("select[data-filter-label]"), setup);
})();
