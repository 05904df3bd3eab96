// The customer picker's suggestion list (customers/fields.py): as the user
// types, the scoped autocomplete endpoint answers with code, name, city, grade
// and main contact, shown in the app's own list under the input. A tap picks a
// customer; on a keyboard the arrows move through the list, Enter picks and
// Escape closes it (a WAI-ARIA combobox: role=listbox, aria-activedescendant).
// Without JavaScript the user types the code or the full name. No inline
// script (CSP).
(function () {
  "use strict";
  if (window.crmCustomerPicker) { return; }
  window.crmCustomerPicker = true;

  var DELAY = 150;
  var SEPARATOR = " · ";
  var timers = new WeakMap();
  var requests = new WeakMap();

  function listOf(input) {
    return document.getElementById(input.dataset.listbox);
  }

  function statusOf(input) {
    var wrap = input.closest(".customer-picker-wrap");
    return wrap ? wrap.querySelector(".customer-picker-status") : null;
  }

  function options(list) {
    return Array.prototype.slice.call(list.querySelectorAll("[role=option]"));
  }

  function close(input) {
    var list = listOf(input);
    if (!list) { return; }
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function setActive(input, index) {
    var list = listOf(input);
    var items = options(list);
    items.forEach(function (item, i) {
      var on = i === index;
      item.setAttribute("aria-selected", on ? "true" : "false");
      item.classList.toggle("active", on);
      if (on) {
        input.setAttribute("aria-activedescendant", item.id);
        item.scrollIntoView({ block: "nearest" });
      }
    });
    if (index < 0) { input.removeAttribute("aria-activedescendant"); }
  }

  function activeIndex(input) {
    var id = input.getAttribute("aria-activedescendant");
    if (!id) { return -1; }
    return options(listOf(input)).findIndex(function (item) { return item.id === id; });
  }

  function choose(input, item) {
    input.value = item.dataset.label;
    close(input);
    // Others (the draft autosave) hear of the change; our own handler skips a label.
    input.dispatchEvent(new Event("input", { bubbles: true }));
    input.dispatchEvent(new Event("change", { bubbles: true }));
    input.focus();
  }

  function line(className, text) {
    var span = document.createElement("span");
    span.className = className;
    span.textContent = text;
    return span;
  }

  // What was typed already names the one customer found: nothing to choose,
  // and an open list would only cover the next fields.
  function settled(q, results) {
    return results.length === 1 &&
      (results[0].code.toLowerCase() === q.toLowerCase() || results[0].name === q);
  }

  function render(input, results, q) {
    var list = listOf(input);
    var status = statusOf(input);
    list.textContent = "";
    results.forEach(function (c, i) {
      var item = document.createElement("li");
      item.id = list.id + "-" + i;
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", "false");
      item.className = "customer-picker-option";
      item.dataset.label = c.label;
      var head = document.createElement("span");
      head.className = "customer-picker-head";
      head.appendChild(line("customer-picker-code", c.code));
      head.appendChild(line("customer-picker-name", c.name));
      item.appendChild(head);
      var facts = [c.city, c.grade_label, c.contact].filter(Boolean).join(SEPARATOR);
      if (facts) { item.appendChild(line("customer-picker-facts", facts)); }
      list.appendChild(item);
    });
    if (status) {
      status.textContent = results.length
        ? status.dataset.some.replace("%(count)s", results.length)
        : status.dataset.none;
    }
    if (results.length && document.activeElement === input && !settled(q, results)) {
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      input.removeAttribute("aria-activedescendant");
    } else {
      close(input);
    }
  }

  function fill(input) {
    var q = input.value.trim();
    if (q.length < 1 || q.indexOf(SEPARATOR) > 0) {
      close(input);
      return;
    }
    var previous = requests.get(input);
    if (previous) { previous.abort(); }
    var controller = new AbortController();
    requests.set(input, controller);
    var url = input.dataset.autocompleteUrl + "?q=" + encodeURIComponent(q);
    fetch(url, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
      signal: controller.signal
    })
      .then(function (r) { return r.ok ? r.json() : { results: [] }; })
      .then(function (data) {
        if (input.value.trim() === q) { render(input, data.results || [], q); }
      })
      .catch(function () {});
  }

  function isPicker(el) {
    return el && el.matches && el.matches("input.customer-picker");
  }

  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!isPicker(input)) { return; }
    clearTimeout(timers.get(input));
    timers.set(input, setTimeout(function () { fill(input); }, DELAY));
  });

  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (!isPicker(input)) { return; }
    var list = listOf(input);
    if (!list) { return; }
    var items = options(list);
    var open = !list.hidden && items.length > 0;
    var index = activeIndex(input);
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!open) {
        if (items.length) {
          list.hidden = false;
          input.setAttribute("aria-expanded", "true");
        } else {
          fill(input);
        }
        event.preventDefault();
        return;
      }
      var step = event.key === "ArrowDown" ? 1 : -1;
      setActive(input, (index + step + items.length) % items.length);
      event.preventDefault();
    } else if (event.key === "Enter" && open && index >= 0) {
      event.preventDefault();
      choose(input, items[index]);
    } else if (event.key === "Escape" && open) {
      event.preventDefault();
      close(input);
    } else if (event.key === "Tab") {
      close(input);
    }
  });

  // A press on an option must not blur the input first (the list would close).
  document.addEventListener("mousedown", function (event) {
    if (event.target.closest && event.target.closest(".customer-picker-list")) {
      event.preventDefault();
    }
  });

  document.addEventListener("click", function (event) {
    var item = event.target.closest && event.target.closest(".customer-picker-option");
    if (item) {
      var list = item.closest(".customer-picker-list");
      var input = document.querySelector('input.customer-picker[data-listbox="' + list.id + '"]');
      if (input) { choose(input, item); }
      return;
    }
    document.querySelectorAll("input.customer-picker[aria-expanded=true]").forEach(function (input) {
      if (event.target !== input) { close(input); }
    });
  });

  document.addEventListener("focusout", function (event) {
    var input = event.target;
    if (!isPicker(input)) { return; }
    // Let a tap on an option land before the list closes.
    setTimeout(function () {
      if (document.activeElement !== input) { close(input); }
    }, 200);
  });
})();
