/* An export job's page: poll its status until the file is ready or the job failed. */
(function () {
  "use strict";

  var root = document.getElementById("export-job");
  if (!root) {
    return;
  }
  var url = root.getAttribute("data-status-url");

  function field(name) {
    return root.querySelector('[data-field="' + name + '"]');
  }

  function show(status) {
    field("status_label").textContent = status.status_label;
    field("rows_done").textContent = status.rows_done;
    field("progress").value = status.rows_done;
    field("error").textContent = status.error || "";
    var download = field("download");
    if (status.download_url) {
      download.href = status.download_url;
      download.classList.remove("d-none");
    }
    return status.status === "done" || status.status === "failed";
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (reply) { return reply.json(); })
      .then(function (status) {
        if (!show(status)) {
          window.setTimeout(poll, 1500);
        }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }

  poll();
})();
