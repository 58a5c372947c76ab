// The thank-you page: copy the personal link, and share it where the browser can.
(function () {
  "use strict";

  function announce(button, text) {
    var status = document.getElementById(button.dataset.copyStatus || "copy-status");
    if (status) {
      status.textContent = text;
    }
  }

  function copyFallback(input) {
    input.focus();
    input.select();
    input.setSelectionRange(0, input.value.length);
    try {
      return document.execCommand("copy");
    } catch (error) {
      return false;
    }
  }

  function setUpCopy(button) {
    var input = document.getElementById(button.dataset.copyTarget);
    if (!input) {
      return;
    }
    button.addEventListener("click", function () {
      var done = function () { announce(button, button.dataset.copiedLabel); };
      var failed = function () {
        if (copyFallback(input)) {
          done();
        } else {
          announce(button, button.dataset.failedLabel);
        }
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(input.value).then(done, failed);
      } else {
        failed();
      }
    });
  }

  function setUpWebShare(button) {
    if (typeof navigator.share !== "function") {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.share({
        title: button.dataset.shareTitle,
        text: button.dataset.shareText,
        url: button.dataset.shareUrl
      }).catch(function () { /* the person closed the share sheet */ });
    });
  }

  document.querySelectorAll("[data-copy-target]").forEach(setUpCopy);
  var share = document.getElementById("web-share");
  if (share) {
    setUpWebShare(share);
  }
}());
