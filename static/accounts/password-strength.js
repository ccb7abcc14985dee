// Live password strength, computed in the browser only (never a request per keystroke): length,
// character classes and the policy's own rule. The server's check (zxcvbn) has the last word.
(function () {
  "use strict";
  var LABELS = ["très faible", "faible", "moyen", "fort", "très fort"];

  function classes(value) {
    return [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter(function (re) { return re.test(value); }).length;
  }

  function score(value, policy) {
    if (!value) return -1;
    var count = classes(value);
    if (policy === "seed") {
      var letters = (value.match(/[A-Za-zÀ-ÿ]/g) || []).length;
      var digits = (value.match(/[0-9]/g) || []).length;
      if (letters < 5 || digits < 3 || count < 3) return Math.min(1, Math.floor(value.length / 6));
      return value.length >= 14 ? 4 : value.length >= 10 ? 3 : 2;
    }
    if (value.length < 12) return value.length < 8 ? 0 : 1;
    var bonus = (count >= 3 ? 1 : 0) + (value.length >= 16 ? 1 : 0) + (value.length >= 20 ? 1 : 0);
    return Math.min(4, 1 + bonus);
  }

  document.querySelectorAll("[data-parcours-strength-for]").forEach(function (meter) {
    var input = document.getElementById(meter.getAttribute("data-parcours-strength-for"));
    var policy = meter.getAttribute("data-parcours-policy");
    var level = meter.querySelector(".parcours-strength__level");
    var text = meter.querySelector("[aria-live]");
    if (!input) return;
    var timer = null;
    input.addEventListener("input", function () {
      var s = score(input.value, policy);
      meter.setAttribute("data-parcours-score", String(s));
      // Spoken after a pause, not at every keystroke.
      clearTimeout(timer);
      timer = setTimeout(function () {
        text.textContent = "Force du mot de passe : " + (s < 0 ? "à saisir" : LABELS[s]);
      }, 400);
    });
  });
})();
