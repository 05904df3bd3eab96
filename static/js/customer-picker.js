// Fills the <datalist> of customer picker inputs from the scoped autocomplete
// endpoint as the user types (customers/fields.py). No inline script (CSP).
(function () {
  "use strict";
  var timers = new WeakMap();

  function fill(input) {
    var q = input.value.trim();
    var list = document.getElementById(input.getAttribute("list"));
    if (!list || q.length < 1 || q.indexOf(" · ") > 0) {
      return;
    }
    var url = input.dataset.autocompleteUrl + "?q=" + encodeURIComponent(q);
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { results: [] }; })
      .then(function (data) {
        list.textContent = "";
        data.results.forEach(function (c) {
          var option = document.createElement("option");
          option.value = c.label;
          list.appendChild(option);
        });
      })
      .catch(function () {});
  }

  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input.customer-picker")) {
      return;
    }
    clearTimeout(timers.get(input));
    timers.set(input, setTimeout(function () { fill(input); }, 200));
  });
})();
