// Complaints: show the channel's own fields on the log form; print buttons. No inline scripts (CSP).
(function () {
  "use strict";

  // The log form: the acknowledgement date belongs to letters, the recording to
  // phone complaints. Without JavaScript both stay visible and the server checks.
  var channel = document.querySelector(".complaint-form select[name=channel]");
  if (channel) {
    var sync = function () {
      document.querySelectorAll(".channel-extra").forEach(function (el) {
        var hasErrors = el.querySelector(".is-invalid, .invalid-feedback");
        el.hidden = el.getAttribute("data-channel") !== channel.value && !hasErrors;
      });
    };
    channel.addEventListener("change", sync);
    sync();
  }

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();
