// Small enhancements that need JavaScript; every page works without them.
(function () {
  "use strict";

  function announce(text) {
    var region = document.getElementById("announcer");
    if (!region) return;
    region.textContent = "";
    window.setTimeout(function () { region.textContent = text; }, 50);
  }

  function copyFrom(button) {
    var target = document.getElementById(button.dataset.copyTarget);
    if (!target) return;
    var text = "value" in target ? target.value : target.textContent;
    var done = function () {
      var original = button.dataset.label || button.textContent;
      button.dataset.label = original;
      button.textContent = button.dataset.copiedText || "Copied";
      announce(button.dataset.copiedText || "Copied");
      window.setTimeout(function () { button.textContent = original; }, 2000);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () {
        if (target.select) target.select();
      });
    } else if (target.select) {
      target.select();
      document.execCommand("copy");
      done();
    }
  }

  document.addEventListener("click", function (event) {
    var copy = event.target.closest("[data-copy-target]");
    if (copy) {
      event.preventDefault();
      copyFrom(copy);
      return;
    }
    var confirmer = event.target.closest("[data-confirm]");
    if (confirmer && !confirmer.hasAttribute("hx-confirm") && !window.confirm(confirmer.dataset.confirm)) {
      event.preventDefault();
    }
  });

  // A parent checkbox (data-check-children="group") ticks or clears its group.
  document.addEventListener("change", function (event) {
    var parent = event.target.closest("[data-check-children]");
    if (!parent) return;
    var group = parent.dataset.checkChildren;
    document.querySelectorAll('[data-check-group="' + group + '"]').forEach(function (box) {
      box.checked = parent.checked;
    });
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-copy-target]").forEach(function (button) {
      button.hidden = false;
    });
  });
})();
