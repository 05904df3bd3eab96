// Customer list (tick all, bulk count) and grading rule formsets (add a row).
// Progressive enhancement only; no inline scripts (CSP).
(function () {
  "use strict";

  // --- bulk reassignment: tick all on the page, show how many are ticked ---
  var checkAll = document.getElementById("check-all");
  var counter = document.getElementById("bulk-count");
  function rowChecks() {
    return Array.prototype.slice.call(document.querySelectorAll(".row-check"));
  }
  function updateCount() {
    if (!counter) { return; }
    var values = {};
    rowChecks().forEach(function (box) { if (box.checked) { values[box.value] = true; } });
    var n = Object.keys(values).length;
    counter.textContent = n ? counter.dataset.template.replace("{n}", n) : "";
  }
  if (checkAll) {
    checkAll.addEventListener("change", function () {
      rowChecks().forEach(function (box) { box.checked = checkAll.checked; });
      updateCount();
    });
  }
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (box.classList && box.classList.contains("row-check")) {
      // The table and the phone cards hold the same customer: keep them in step.
      rowChecks().forEach(function (other) {
        if (other.value === box.value) { other.checked = box.checked; }
      });
      updateCount();
    }
  });

  // --- formsets: "add grade" / "add band" clone the empty form ---
  document.querySelectorAll(".js-add-row").forEach(function (button) {
    button.addEventListener("click", function () {
      var prefix = button.dataset.formset;
      var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
      var max = document.getElementById("id_" + prefix + "-MAX_NUM_FORMS");
      var template = document.getElementById(prefix + "-empty");
      var body = document.querySelector('[data-formset-body="' + prefix + '"]');
      if (!total || !template || !body) { return; }
      var index = parseInt(total.value, 10);
      if (max && index >= parseInt(max.value, 10)) { return; }
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      body.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      var first = body.lastElementChild && body.lastElementChild.querySelector("input");
      if (first) { first.focus(); }
    });
  });
})();

// Customer form: show the assignment-exception reason only when the chosen
// visiting person is a salesperson of the chosen region.
(function () {
  "use strict";
  var block = document.getElementById("override-block");
  if (!block) { return; }
  var map = {};
  try { map = JSON.parse(block.dataset.salesMap || "{}"); } catch (e) { return; }
  var region = document.getElementById("id_region");
  var person = document.getElementById("id_visiting_person");
  function update() {
    if (block.dataset.keepOpen === "1") { return; }
    var sellers = (region && map[region.value]) || [];
    var needed = person && sellers.indexOf(parseInt(person.value, 10)) !== -1;
    block.hidden = !needed;
  }
  [region, person].forEach(function (el) { if (el) { el.addEventListener("change", update); } });
  update();
})();
