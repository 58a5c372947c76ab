// Skip logic on one page: a question whose condition reads answers on the same page appears
// and disappears as they change. The server sends the condition as a tree with the earlier
// pages' answers already filled in (surveys/logic/page.py) and decides again after the POST,
// so this script only spares a round trip; it mirrors surveys/logic/expressions.py.
(function () {
  "use strict";

  var form = document.getElementById("survey-form");
  if (!form) {
    return;
  }
  var dependents = Array.prototype.slice.call(form.querySelectorAll(".question[data-relevant]"));
  if (dependents.length === 0) {
    return;
  }
  var questions = Array.prototype.slice.call(form.querySelectorAll(".question"));

  function answerOf(question) {
    var code = question.id.slice(2);
    var inputs = form.querySelectorAll("[name='" + code + "']");
    var chosen = [];
    var multiple = false;
    for (var i = 0; i < inputs.length; i += 1) {
      var input = inputs[i];
      if (input.type === "checkbox") {
        multiple = true;
        if (input.checked) { chosen.push(input.value); }
      } else if (input.type === "radio") {
        if (input.checked) { return input.value; }
      } else if (input.type !== "hidden") {
        var value = input.value.trim();
        if (value === "") { return null; }
        if (input.type === "number") { return Number(value); }
        return value;
      }
    }
    return multiple ? chosen : null;
  }

  function asText(value) {
    if (value === null || value === undefined) { return ""; }
    if (Array.isArray(value)) { return value.join(" "); }
    if (value === true) { return "true"; }
    if (value === false) { return "false"; }
    return String(value);
  }

  function asNumber(value) {
    if (typeof value === "boolean") { return value ? 1 : 0; }
    if (typeof value === "number") { return value; }
    var text = asText(value);
    return text.trim() === "" ? NaN : Number(text);
  }

  function chosen(value) {
    if (value === null || value === undefined || value === "") { return []; }
    return Array.isArray(value) ? value.map(String) : [String(value)];
  }

  function truthy(value) {
    if (typeof value === "number") { return !isNaN(value) && value !== 0; }
    if (Array.isArray(value)) { return value.length > 0; }
    return Boolean(value);
  }

  function compare(op, left, right) {
    var numeric = [left, right].some(function (v) { return typeof v === "number"; });
    if (op === "=" || op === "!=") {
      var same = numeric ? asNumber(left) === asNumber(right) : asText(left) === asText(right);
      return op === "=" ? same : !same;
    }
    var a = asNumber(left);
    var b = asNumber(right);
    if (isNaN(a) || isNaN(b)) { return false; }
    return { "<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b }[op];
  }

  function evaluate(node, answers) {
    switch (node[0]) {
      case "lit": return node[1];
      case "ref": return Object.prototype.hasOwnProperty.call(answers, node[1]) ? answers[node[1]] : null;
      case "cmp": return compare(node[1], evaluate(node[2], answers), evaluate(node[3], answers));
      case "and": return truthy(evaluate(node[1], answers)) && truthy(evaluate(node[2], answers));
      case "or": return truthy(evaluate(node[1], answers)) || truthy(evaluate(node[2], answers));
      case "not": return !truthy(evaluate(node[1], answers));
      case "selected": return chosen(evaluate(node[1], answers)).indexOf(String(node[2])) !== -1;
      case "count": return chosen(evaluate(node[1], answers)).length;
      default: return true;
    }
  }

  // In page order, like the server: a hidden question's answer counts as no answer.
  function refresh() {
    var answers = {};
    questions.forEach(function (question) {
      var condition = question.getAttribute("data-relevant");
      var shown = !condition || truthy(evaluate(JSON.parse(condition), answers));
      question.hidden = !shown;
      if (shown) {
        var value = answerOf(question);
        if (value !== null && !(Array.isArray(value) && value.length === 0)) {
          answers[question.id.slice(2)] = value;
        }
      }
    });
  }

  form.addEventListener("change", refresh);
  form.addEventListener("input", refresh);
  refresh();
}());
