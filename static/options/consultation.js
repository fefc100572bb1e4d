// Progressive enhancement for the consultation form. Without this script every part of the
// form still works by posting to the server; with it:
// - a lesion shows only the findings that apply to its site, and its SINS or Mirels as the
//   findings are entered (a range while a finding is not reported). The point tables come
//   from the server (options/rules/scores.py), and the server recomputes every score;
// - the cancer-specific question for the chosen cancer is revealed;
// - pregnancy is not asked for a man (its answer is then not sent);
// - creatinine clearance is calculated on the server as its inputs change (the formula
//   lives in options/rules/derive.py only) and shown in a live region;
// - lesion and treatment rows are added and removed without reloading the page.
(function () {
  "use strict";
  var form = document.getElementById("consultation-form");
  var tablesElement = document.getElementById("score-tables");
  if (!form || !tablesElement) return;
  var tables = JSON.parse(tablesElement.textContent);
  var required = JSON.parse(document.getElementById("score-required").textContent);
  var NAMES = { sins: "SINS", mirels: "Mirels" };
  var NOT_REPORTED_BAND = "depends on findings not reported";

  function value(scope, name) {
    var select = scope.querySelector("select[name$='-" + name + "']");
    if (select) return select.value;
    var checked = scope.querySelector("input[name$='-" + name + "']:checked");
    return checked ? checked.value : "";
  }

  // Scores ------------------------------------------------------------------------------

  function score(row, name, site) {
    var table = tables[name];
    var low = 0;
    var high = 0;
    var keys = Object.keys(table).filter(function (key) { return key !== "bands"; });
    for (var i = 0; i < keys.length; i++) {
      var points = table[keys[i]];
      var found = points[value(row, keys[i])];
      if (found !== undefined) {
        low += found;
        high += found;
      } else if (required[site].indexOf(keys[i]) !== -1) {
        return "";
      } else {
        var all = Object.keys(points).map(function (key) { return points[key]; });
        low += Math.min.apply(null, all);
        high += Math.max.apply(null, all);
      }
    }
    if (low === high) return NAMES[name] + " " + low + " (" + table.bands[low] + ")";
    var band = table.bands[low] === table.bands[high] ? table.bands[low] : NOT_REPORTED_BAND;
    return NAMES[name] + " " + low + " to " + high + " (" + band + ")";
  }

  function updateLesion(row) {
    var site = value(row, "site");
    row.querySelectorAll("[data-sites]").forEach(function (finding) {
      finding.hidden = site !== "" && finding.dataset.sites.split(" ").indexOf(site) === -1;
    });
    var text = "";
    if (site === "spine") text = score(row, "sins", site);
    else if (tables.mirels.site[site] !== undefined) text = score(row, "mirels", site);
    var output = row.querySelector("[data-score]");
    if (output && output.textContent !== text) output.textContent = text;
  }

  // Questions that depend on another answer ---------------------------------------------

  // Reveal the question that belongs to the chosen cancer type. (NHS.UK frontend's own
  // version adds aria-expanded to radios, which axe-core reports as not allowed.)
  function revealCancerQuestion(group) {
    group.querySelectorAll("input[aria-controls]").forEach(function (input) {
      var target = document.getElementById(input.getAttribute("aria-controls"));
      if (target) target.classList.toggle("nhsuk-radios__conditional--hidden", !input.checked);
    });
  }

  // Pregnancy is never asked for a man: hidden, and disabled so that it is not sent.
  function updatePregnancy() {
    var question = form.querySelector("[data-pregnancy]");
    var male = form.querySelector("input[name='sex'][value='male']");
    if (!question || !male) return;
    question.hidden = male.checked;
    question.querySelectorAll("input").forEach(function (input) {
      input.disabled = male.checked;
    });
  }

  // Creatinine clearance ----------------------------------------------------------------

  var calculator = form.querySelector("[data-calculator]");
  var CALCULATOR_FIELDS = ["age_years", "sex", "weight_kg", "serum_creatinine_umol_l",
                           "creatinine_clearance_ml_min"];
  var calculation = 0;
  var calculateTimer = null;

  function answer(name) {
    var field = form.elements.namedItem(name);
    if (!field) return null;
    var text = (field.value || "").trim();
    return text === "" ? null : text;
  }

  function showCalculation(text) {
    var output = calculator.querySelector("[data-calculator-output]");
    if (output.textContent !== text) output.textContent = text;
  }

  function describe(body) {
    if (!body.errors) return body.text || "";
    return "Creatinine clearance cannot be calculated: " + body.errors.map(function (error) {
      return error.message;
    }).join("; ") + ".";
  }

  function calculate() {
    var answers = {};
    CALCULATOR_FIELDS.forEach(function (name) { answers[name] = answer(name); });
    var mine = ++calculation;
    fetch(calculator.dataset.url, {
      method: "POST",
      mode: "same-origin",
      credentials: "same-origin",
      cache: "no-store",
      headers: {
        "Content-Type": "application/json",
        "X-CSRFToken": form.elements.namedItem("csrfmiddlewaretoken").value
      },
      body: JSON.stringify(answers)
    }).then(function (response) {
      var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
      return json ? response.json() : { text: "" };
    }).then(function (body) {
      if (mine === calculation) showCalculation(describe(body));
    }).catch(function () {
      if (mine === calculation) showCalculation("");
    });
  }

  function calculateSoon(event) {
    if (!calculator || CALCULATOR_FIELDS.indexOf(event.target.name) === -1) return;
    window.clearTimeout(calculateTimer);
    calculateTimer = window.setTimeout(calculate, event.type === "change" ? 0 : 400);
  }

  // Rows ---------------------------------------------------------------------------------

  var announcer = form.querySelector("[data-row-announcer]");

  function announce(text) {
    // Clear first so that the same words said twice are announced twice.
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = text; }, 50);
  }

  function management(section, name) {
    return section.querySelector("input[name='" + section.dataset.prefix + "-" + name + "']");
  }

  function rows(section) {
    return Array.prototype.slice.call(section.querySelectorAll("[data-row-list] > [data-row]"));
  }

  var RENUMBERED = ["name", "id", "for", "aria-describedby", "aria-controls"];

  // Give a row the index Django's formset expects, in every name, id and reference.
  function renumber(section, row, index) {
    var pattern = new RegExp("(" + section.dataset.prefix + "-)(\\d+|__prefix__)(-)", "g");
    row.querySelectorAll("*").forEach(function (element) {
      RENUMBERED.forEach(function (attribute) {
        var old = element.getAttribute(attribute);
        if (old) element.setAttribute(attribute, old.replace(pattern, "$1" + index + "$3"));
      });
    });
    row.querySelectorAll("[data-row-number]").forEach(function (number) {
      number.textContent = index + 1;
    });
    row.querySelector("[data-remove-row]").value = "remove-" + section.dataset.rows + "-" + index;
  }

  function refresh(section) {
    var count = rows(section).length;
    management(section, "TOTAL_FORMS").value = count;
    var status = section.querySelector("[data-row-status]");
    status.hidden = count > 0;
    status.querySelectorAll("input").forEach(function (input) { input.disabled = count > 0; });
    var add = section.querySelector("[data-add-row]");
    add.textContent = count ? add.dataset.another : add.dataset.first;
  }

  function addRow(section) {
    var count = rows(section).length;
    var name = section.dataset.rowName;
    if (count >= parseInt(section.dataset.max, 10)) {
      announce("No more can be added: " + count + " is the most BoneCare takes.");
      return;
    }
    var template = section.querySelector("template[data-row-template]");
    var row = template.content.firstElementChild.cloneNode(true);
    renumber(section, row, count);
    section.querySelector("[data-row-list]").appendChild(row);
    if (row.hasAttribute("data-lesion-row")) updateLesion(row);
    refresh(section);
    row.querySelector("select, input").focus();
    announce(name + " " + (count + 1) + " added.");
  }

  function removeRow(section, row) {
    var all = rows(section);
    var index = all.indexOf(row);
    row.remove();
    var rest = rows(section);
    rest.forEach(function (each, position) { renumber(section, each, position); });
    refresh(section);
    var next = rest[index] || rest[index - 1];
    if (next) next.querySelector("select, input").focus();
    else document.getElementById(section.dataset.rows + "-section").focus();
    var later = index < rest.length ? " The ones after it are renumbered." : "";
    announce(section.dataset.rowName + " " + (index + 1) + " removed." + later);
  }

  function onClick(event) {
    var button = event.target.closest("button[data-add-row], button[data-remove-row]");
    if (!button) return;
    var section = button.closest("[data-rows]");
    event.preventDefault();
    if (button.hasAttribute("data-add-row")) addRow(section);
    else removeRow(section, button.closest("[data-row]"));
  }

  // Wiring --------------------------------------------------------------------------------

  form.querySelectorAll("[data-lesion-row]").forEach(updateLesion);
  form.querySelectorAll("[data-conditional-radios]").forEach(revealCancerQuestion);
  updatePregnancy();
  form.addEventListener("click", onClick);
  form.addEventListener("input", calculateSoon);
  form.addEventListener("change", function (event) {
    var row = event.target.closest("[data-lesion-row]");
    if (row) updateLesion(row);
    var group = event.target.closest("[data-conditional-radios]");
    if (group) revealCancerQuestion(group);
    if (event.target.name === "sex") updatePregnancy();
    calculateSoon(event);
  });
})();
