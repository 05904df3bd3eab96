// The visit calendar (/visits/calendar/): FullCalendar (vendored, MIT) over
// the page's event source. A week grid on wide screens and a day list on a
// phone; dragging a planned contact to another day POSTs it to the server,
// which records the move (and refuses a day that is over). Without JavaScript
// the page's week list is shown instead.
(function () {
  "use strict";
  var el = document.getElementById("plan-calendar");
  if (!el || !window.FullCalendar) { return; }
  var errorBox = document.getElementById("plan-calendar-error");

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) { return decodeURIComponent(match[1]); }
    var field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function showError(message) {
    if (!errorBox) { return; }
    errorBox.textContent = message;
    errorBox.classList.remove("d-none");
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function isoDay(d) { return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()); }

  var narrow = window.matchMedia("(max-width: 767.98px)").matches;
  var calendar = new window.FullCalendar.Calendar(el, {
    locale: el.dataset.locale || "zh-cn",
    timeZone: "local",
    initialDate: el.dataset.initialDate,
    initialView: narrow ? "listDay" : "dayGridWeek",
    firstDay: 1,
    height: "auto",
    headerToolbar: narrow
      ? { left: "prev,next today", center: "title", right: "listWeek,listDay" }
      : { left: "prev,next today", center: "title", right: "dayGridWeek,timeGridWeek,listWeek" },
    editable: true,
    eventStartEditable: true,
    eventDurationEditable: false,
    dayMaxEvents: false,
    noEventsContent: el.dataset.empty || "—",
    events: el.dataset.eventsUrl,
    eventDrop: function (info) {
      var url = info.event.extendedProps.moveUrl;
      if (!url) { info.revert(); return; }
      fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify({ day: isoDay(info.event.start) })
      }).then(function (response) {
        return response.json().then(function (data) {
          if (!response.ok || !data.ok) {
            info.revert();
            showError(data.message || el.dataset.moveFailed);
          } else if (errorBox) {
            errorBox.classList.add("d-none");
          }
        });
      }).catch(function () {
        info.revert();
        showError(el.dataset.moveFailed);
      });
    },
    eventDidMount: function (info) {
      if (info.event.extendedProps.state) {
        info.el.setAttribute("title", info.event.title + " · " + info.event.extendedProps.state);
      }
    }
  });
  calendar.render();
  el.dataset.ready = "1";
})();
