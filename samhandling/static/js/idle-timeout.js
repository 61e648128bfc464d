/* Idle time-out with a warning before it (CSP script-src 'self').
 * The dialog (templates/ui/idle_timeout.html) opens `data-warning-seconds` before the time-out as a modal dialog:
 * focus moves to "Stay logged in", Tab stays inside, Escape also means "stay". Staying posts to the keep-alive URL.
 * When the time runs out the page logs out itself (the dialog's form, whose action carries reason=idle). Tabs share the time of the
 * last activity through localStorage, so work in one tab keeps the others from logging out.
 */
(function () {
  "use strict";

  var dialog = document.getElementById("idle-warning");
  if (!dialog || typeof dialog.showModal !== "function") { return; }
  var idleMs = parseInt(dialog.getAttribute("data-idle-seconds"), 10) * 1000;
  var warningMs = parseInt(dialog.getAttribute("data-warning-seconds"), 10) * 1000;
  var keepAliveUrl = dialog.getAttribute("data-keep-alive-url");
  var form = document.getElementById("idle-logout-form");
  var left = dialog.querySelector("[data-idle-left]");
  var KEY = "samhandling-last-activity";
  var lang = document.documentElement.lang || "nb";

  function now() { return Date.now(); }
  function lastActivity() {
    var stored = 0;
    try { stored = parseInt(window.localStorage.getItem(KEY), 10) || 0; } catch (e) { stored = 0; }
    return Math.max(stored, pageActivity);
  }
  function touch() {
    pageActivity = now();
    try { window.localStorage.setItem(KEY, String(pageActivity)); } catch (e) { /* private mode: this tab only */ }
  }

  function format(ms) {
    var seconds = Math.max(0, Math.ceil(ms / 1000));
    var minutes = Math.floor(seconds / 60);
    var rest = seconds % 60;
    // Nynorsk has the same singular and plural here (eitt minutt, to minutt).
    var words = lang === "nn"
      ? { min: "minutt", sec: "sekund" }
      : { min: minutes === 1 ? "minutt" : "minutter", sec: rest === 1 ? "sekund" : "sekunder" };
    if (minutes > 0) { return minutes + " " + words.min + (rest ? " " + rest + " " + words.sec : ""); }
    return rest + " " + words.sec;
  }

  function stay() {
    touch();
    if (dialog.open) { dialog.close(); }
    var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    window.fetch(keepAliveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": token, "Accept": "application/json" },
    }).then(function (response) {
      if (response.status === 401) { window.location.reload(); }
    });
  }

  function logOut() {
    form.submit();  // the form's own action says reason=idle; the "Log out now" button posts without it
  }

  var pageActivity = 0;
  touch();
  var loggingOut = false;

  function tick() {
    if (loggingOut) { return; }
    var remaining = lastActivity() + idleMs - now();
    if (remaining <= 0) {
      loggingOut = true;
      logOut();
      return;
    }
    if (remaining <= warningMs) {
      left.textContent = format(remaining);
      if (!dialog.open) { dialog.showModal(); }
    } else if (dialog.open) {
      dialog.close();  // another tab was used meanwhile
    }
  }

  dialog.querySelector("[data-idle-stay]").addEventListener("click", stay);
  dialog.addEventListener("cancel", function (event) { event.preventDefault(); stay(); });
  window.setInterval(tick, 1000);
})();
