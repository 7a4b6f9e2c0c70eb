/* Intake review: look for duplicates again whenever a candidate's claimant or statement changes.
 *
 * The page lists each candidate's possible duplicates as rendered by the server. When the editor
 * edits the claimant or the statement, this asks the admin's duplicates endpoint (same origin,
 * the editor's session) and redraws that candidate's list; a likely repeat (95% or more) newly
 * found is proposed as "add as a further appearance". The server checks again on confirmation,
 * so the page stays correct without this script. Built with DOM calls only: nothing the server
 * sends is parsed as HTML (the CSP allows no inline script anyway).
 */
(function () {
  "use strict";
  var form = document.getElementById("intake-review");
  if (!form) { return; }
  var endpoint = form.getAttribute("data-duplicates-url");
  var WAIT_MS = 400;

  function field(fieldset, name) {
    return fieldset.querySelector("[name$='-" + name + "']");
  }

  function seenIds(block) {
    var seen = block.querySelector("input.intake-seen");
    return seen && seen.value ? seen.value.split(",") : [];
  }

  function radio(name, value, checked) {
    var input = document.createElement("input");
    input.type = "radio";
    input.name = name;
    input.value = value;
    input.checked = checked;
    return input;
  }

  function redraw(fieldset, matches) {
    var block = fieldset.querySelector(".intake-duplicates");
    var list = block.querySelector("ul.radiolist");
    var keepNew = list.querySelector("input[type=radio][value='']");
    var name = keepNew.name;
    var before = seenIds(block);
    var checked = list.querySelector("input[type=radio]:checked");
    var chosen = checked ? checked.value : "";
    var ids = matches.map(function (match) { return String(match.claim_id); });
    if (chosen && ids.indexOf(chosen) < 0) { chosen = ""; }
    if (!chosen && matches.length && matches[0].likely_same && before.indexOf(ids[0]) < 0) {
      chosen = ids[0];
    }
    while (list.children.length > 1) { list.removeChild(list.lastChild); }
    keepNew.checked = !chosen;
    matches.forEach(function (match) {
      var item = document.createElement("li");
      var label = document.createElement("label");
      label.appendChild(radio(name, String(match.claim_id), chosen === String(match.claim_id)));
      label.appendChild(document.createTextNode(" Add this article as a further appearance of"));
      var link = document.createElement("a");
      link.href = match.url;
      link.className = "duplicate-link";
      link.textContent = match.statement.length > 140 ? match.statement.slice(0, 139) + "…" : match.statement;
      var similarity = document.createElement("span");
      similarity.className = "duplicate-similarity";
      similarity.textContent = String(match.similarity);
      item.appendChild(label);
      item.appendChild(document.createTextNode(" "));
      item.appendChild(link);
      item.appendChild(document.createTextNode(" (similarity "));
      item.appendChild(similarity);
      item.appendChild(document.createTextNode("%)"));
      list.appendChild(item);
    });
    block.querySelector("input.intake-seen").value = ids.join(",");
    block.hidden = matches.length === 0;
    fieldset.setAttribute("data-duplicates-checked", String(Date.now()));
  }

  function check(fieldset) {
    var params = new URLSearchParams({
      claimant: field(fieldset, "claimant").value,
      statement: field(fieldset, "statement").value,
      sentence: field(fieldset, "sentence").value
    });
    var asked = params.toString();
    fieldset.setAttribute("data-duplicates-asked", asked);
    var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    fetch(endpoint, {
      method: "POST",
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrf },
      body: params
    })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (answer) {
        // A later edit asked again meanwhile: only its answer counts.
        if (answer && fieldset.getAttribute("data-duplicates-asked") === asked) { redraw(fieldset, answer.matches); }
      })
      .catch(function () { /* the server checks again on confirmation */ });
  }

  Array.prototype.forEach.call(form.querySelectorAll("fieldset.intake-candidate"), function (fieldset) {
    var timer = null;
    function soon() {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { check(fieldset); }, WAIT_MS);
    }
    ["claimant", "statement"].forEach(function (name) {
      var input = field(fieldset, name);
      if (!input) { return; }
      input.addEventListener("input", soon);
      input.addEventListener("change", function () { window.clearTimeout(timer); check(fieldset); });
    });
  });
})();
