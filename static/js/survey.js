// The survey's pages: focus the error summary, tick "other" as its text is typed, and keep
// Back from re-posting a refused page.
(function () {
  "use strict";

  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
    // The page came from a refused POST: make its history entry a plain GET, so that Back
    // from the next page shows this page again instead of "Confirm form resubmission".
    if (window.history && typeof window.history.replaceState === "function") {
      window.history.replaceState(null, "", window.location.href);
    }
    summary.querySelectorAll("a[href^='#']").forEach(function (link) {
      link.addEventListener("click", function (event) {
        var target = document.getElementById(link.getAttribute("href").slice(1));
        var input = target && target.querySelector("input, textarea, select");
        if (input) {
          event.preventDefault();
          target.scrollIntoView({ block: "start" });
          input.focus();
        }
      });
    });
  }

  // Typing in an "other — specify" box chooses "other"; the server does the same without us.
  document.querySelectorAll(".other-text").forEach(function (box) {
    var holder = box.closest(".form-check");
    var option = holder && holder.querySelector("input.form-check-input");
    if (!option) {
      return;
    }
    box.addEventListener("input", function () {
      if (box.value.trim() !== "" && !option.checked) {
        option.checked = true;
        option.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
  });
}());
