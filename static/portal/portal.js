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

  function groupBoxes(group) {
    return document.querySelectorAll('[data-check-group="' + group + '"]');
  }

  // Show a parent ticked when its whole group is, and mixed when part of it is.
  function syncParent(group) {
    var parent = document.querySelector('[data-check-children="' + group + '"]');
    if (!parent) return;
    var boxes = Array.prototype.slice.call(groupBoxes(group));
    var ticked = boxes.filter(function (box) { return box.checked; }).length;
    parent.checked = boxes.length > 0 && ticked === boxes.length;
    parent.indeterminate = ticked > 0 && ticked < boxes.length;
  }

  // A parent checkbox (data-check-children="group") ticks or clears its group;
  // clearing one child clears the parent, so the parent's value is not sent.
  document.addEventListener("change", function (event) {
    var parent = event.target.closest("[data-check-children]");
    if (parent) {
      groupBoxes(parent.dataset.checkChildren).forEach(function (box) {
        box.checked = parent.checked;
      });
      parent.indeterminate = false;
      return;
    }
    var child = event.target.closest("[data-check-group]");
    if (child) syncParent(child.dataset.checkGroup);
  });

  function enhance(root) {
    root.querySelectorAll("[data-copy-target]").forEach(function (button) {
      button.hidden = false;
    });
    root.querySelectorAll("[data-check-children]").forEach(function (parent) {
      var group = parent.dataset.checkChildren;
      var boxes = Array.prototype.slice.call(groupBoxes(group));
      var ticked = boxes.filter(function (box) { return box.checked; }).length;
      parent.indeterminate = !parent.checked && ticked > 0 && ticked < boxes.length;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    enhance(document);
  });

  // Content swapped in by htmx gets the same enhancements, and its status
  // message is read out.
  document.addEventListener("htmx:load", function (event) {
    var root = event.detail && event.detail.elt;
    if (!root || !root.querySelectorAll) return;
    enhance(root);
    var status = root.matches("[data-announce]") ? root : root.querySelector("[data-announce]");
    if (status) announce(status.textContent.trim());
  });
})();
