// The "I am a person" page: solve the page's ALTCHA proof of work (SHA-256 of salt + number)
// and post the solution with the ticket. No worker and nothing inline: the site's CSP stays
// "script-src 'self'". Without this script (or crypto.subtle), the server accepts the ticket
// after a short wait instead.
(function () {
  "use strict";

  var form = document.querySelector("form[data-person-challenge]");
  if (!form || !window.crypto || !window.crypto.subtle || !window.TextEncoder) {
    return;
  }
  var data = JSON.parse(form.getAttribute("data-person-challenge"));
  var proof = form.querySelector("input[name='person_proof']");
  var button = form.querySelector("button[type='submit']");
  var status = document.getElementById("person-check-status");
  var encoder = new TextEncoder();
  var started = Date.now();
  var solved = false;
  var waiting = false;
  var BATCH = 500;

  function hex(buffer) {
    return Array.prototype.map
      .call(new Uint8Array(buffer), function (byte) {
        return ("0" + byte.toString(16)).slice(-2);
      })
      .join("");
  }

  function search(start) {
    var tries = [];
    for (var n = start; n < start + BATCH && n <= data.maxNumber; n++) {
      tries.push(window.crypto.subtle.digest("SHA-256", encoder.encode(data.salt + n)));
    }
    return Promise.all(tries).then(function (hashes) {
      for (var i = 0; i < hashes.length; i++) {
        if (hex(hashes[i]) === data.challenge) {
          return start + i;
        }
      }
      return start + BATCH > data.maxNumber ? -1 : search(start + BATCH);
    });
  }

  form.addEventListener("submit", function (event) {
    if (solved) {
      return;
    }
    // Tapped before the work is done: send the form as soon as it is.
    event.preventDefault();
    waiting = true;
    button.disabled = true;
    if (status) {
      status.hidden = false;
    }
  });

  search(0).then(function (number) {
    if (number < 0) {
      return;
    }
    proof.value = window.btoa(
      JSON.stringify({
        algorithm: data.algorithm,
        challenge: data.challenge,
        number: number,
        salt: data.salt,
        signature: data.signature,
        took: Date.now() - started,
      })
    );
    solved = true;
    if (waiting) {
      form.submit();
    }
  });
})();
