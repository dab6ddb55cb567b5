/*
 * APOC's intake form (templates/registrations/intake.html): a shorter form.
 *
 * - Blocks marked data-shown-when="<field>" (and data-shown-for="<values>" for a
 *   radio group) are shown only while that field has one of the values, or is
 *   ticked: the offer for category B, the decision for C, the PD U2 date, the
 *   number the person has had. A hidden block is disabled too, so what is not
 *   shown is not sent.
 * - The letter language's empty choice names the language that follows from the
 *   nationality, as the server does (data-derived-*).
 * - The MRZ is read as soon as a document reader has typed complete lines.
 *
 * Without this script every block is shown, each saying which category it belongs
 * to, and "Læs MRZ" reads the MRZ. A file served by APOC under the
 * Content-Security-Policy: no inline script, no eval.
 */
(function () {
  "use strict";

  var form = document.getElementById("intake-form");
  if (!form) {
    return;
  }

  // --- Blocks shown when they apply ------------------------------------------------

  function currentValues(name) {
    var values = [];
    var controls = form.querySelectorAll('[name="' + name + '"]');
    for (var i = 0; i < controls.length; i++) {
      var control = controls[i];
      if (control.type === "radio" || control.type === "checkbox") {
        if (control.checked) {
          values.push(control.type === "checkbox" ? "on" : control.value);
        }
      } else if (control.value) {
        values.push(control.value);
      }
    }
    return values;
  }

  function applies(block) {
    var values = currentValues(block.getAttribute("data-shown-when"));
    var wanted = block.getAttribute("data-shown-for");
    if (!wanted) {
      return values.length > 0;
    }
    var list = wanted.split(" ");
    for (var i = 0; i < values.length; i++) {
      if (list.indexOf(values[i]) !== -1) {
        return true;
      }
    }
    return false;
  }

  function setDisabled(block, disabled) {
    if (block.tagName === "FIELDSET") {
      block.disabled = disabled;
      return;
    }
    var controls = block.querySelectorAll("input, select, textarea");
    for (var i = 0; i < controls.length; i++) {
      controls[i].disabled = disabled;
    }
  }

  var blocks = form.querySelectorAll("[data-shown-when]");

  function updateBlocks() {
    for (var i = 0; i < blocks.length; i++) {
      var show = applies(blocks[i]);
      blocks[i].hidden = !show;
      setDisabled(blocks[i], !show);
    }
  }

  // --- The letter's language follows the nationality -------------------------------

  var language = form.querySelector("select[data-derived-from]");
  var nationality = language && document.getElementById(language.getAttribute("data-derived-from"));

  function updateLanguage() {
    if (!language || !nationality) {
      return;
    }
    var labels = JSON.parse(language.getAttribute("data-derived-labels"));
    var code = nationality.value;
    var label;
    if (!code) {
      label = language.getAttribute("data-derived-none");
    } else if (Object.prototype.hasOwnProperty.call(labels, code)) {
      label = labels[code];
    } else {
      label = language.getAttribute("data-derived-other");
    }
    var empty = language.querySelector('option[value=""]');
    if (empty) {
      empty.textContent = label;
    }
  }

  // --- The MRZ, read when a document reader has typed it -----------------------------

  var mrz = form.querySelector('textarea[name="mrz"]');
  var readButton = form.querySelector('button[name="read_mrz"]');
  var MRZ_SHAPES = [[2, 44], [2, 36], [3, 30]];  // TD3, TD2, TD1
  var pending = null;

  function isCompleteMrz(text) {
    var lines = text.split(/\r?\n/).map(function (line) {
      return line.replace(/\s+/g, "");
    }).filter(function (line) {
      return line.length > 0;
    });
    for (var i = 0; i < MRZ_SHAPES.length; i++) {
      var shape = MRZ_SHAPES[i];
      if (lines.length === shape[0] && lines.every(function (line) {
        return line.length === shape[1] && /^[A-Z0-9<]+$/.test(line);
      })) {
        return true;
      }
    }
    return false;
  }

  function readWhenComplete() {
    if (pending !== null) {
      window.clearTimeout(pending);
    }
    // A reader types fast; wait for it to finish (a trailing line break, say).
    pending = window.setTimeout(function () {
      pending = null;
      if (isCompleteMrz(mrz.value) && typeof form.requestSubmit === "function") {
        form.requestSubmit(readButton);
      }
    }, 250);
  }

  // --- Wiring ------------------------------------------------------------------------

  form.addEventListener("change", function (event) {
    updateBlocks();
    if (event.target === nationality) {
      updateLanguage();
    }
  });
  if (mrz && readButton) {
    mrz.addEventListener("input", readWhenComplete);
  }
  updateBlocks();
  updateLanguage();
})();
