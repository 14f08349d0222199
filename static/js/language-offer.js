// Offer the page in the visitor's language when the browser prefers one the page
// is not in. The offers are in the HTML (hidden) so that every visitor gets the
// same, cacheable page; the language itself always comes from the URL.
(function () {
  "use strict";
  var current = document.documentElement.lang;
  var preferred = navigator.languages || [navigator.language || ""];
  for (var i = 0; i < preferred.length; i++) {
    var code = preferred[i].toLowerCase().split("-")[0];
    if (code === current) {
      return; // the visitor reads this page's language before any other
    }
    var offer = document.querySelector('[data-language-offer="' + code + '"]');
    if (offer) {
      offer.hidden = false;
      return;
    }
  }
})();
