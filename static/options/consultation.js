// Progressive enhancement for the consultation form: show only the lesion findings that
// apply to the chosen site, and show SINS or Mirels as the findings are entered. The point
// tables come from the server (options/rules/scores.py), so the numbers live in one place;
// the server recomputes every score on submit.
(function () {
  "use strict";
  var tablesElement = document.getElementById("score-tables");
  if (!tablesElement) return;
  var tables = JSON.parse(tablesElement.textContent);

  function value(row, name) {
    var select = row.querySelector("select[name$='-" + name + "']");
    if (select) return select.value;
    var checked = row.querySelector("input[name$='-" + name + "']:checked");
    return checked ? checked.value : "";
  }

  function score(row, name, label) {
    var table = tables[name];
    var total = 0;
    var keys = Object.keys(table).filter(function (key) { return key !== "bands"; });
    for (var i = 0; i < keys.length; i++) {
      var points = table[keys[i]][value(row, keys[i])];
      if (points === undefined) return "";
      total += points;
    }
    return label + " " + total + " (" + table.bands[total] + ")";
  }

  function update(row) {
    var site = value(row, "site");
    row.querySelectorAll("[data-sites]").forEach(function (finding) {
      finding.hidden = site !== "" && finding.dataset.sites.split(" ").indexOf(site) === -1;
    });
    var text = "";
    if (site === "spine") text = score(row, "sins", "SINS");
    else if (tables.mirels.site[site] !== undefined) text = score(row, "mirels", "Mirels");
    var output = row.querySelector("[data-score]");
    if (output && output.textContent !== text) output.textContent = text;
  }

  // Reveal the question that belongs to the chosen cancer type. (NHS.UK frontend's own
  // version adds aria-expanded to radios, which axe-core reports as not allowed.)
  document.querySelectorAll("[data-conditional-radios]").forEach(function (group) {
    function reveal() {
      group.querySelectorAll("input[aria-controls]").forEach(function (input) {
        var target = document.getElementById(input.getAttribute("aria-controls"));
        if (target) target.classList.toggle("nhsuk-radios__conditional--hidden", !input.checked);
      });
    }
    reveal();
    group.addEventListener("change", reveal);
  });

  document.querySelectorAll("[data-lesion-row]").forEach(function (row) {
    update(row);
    row.addEventListener("change", function () { update(row); });
  });
})();
