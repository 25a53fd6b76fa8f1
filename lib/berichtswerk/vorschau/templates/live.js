// Berichtswerk preview: listens for new builds and swaps what changed in place (no reload, scroll kept).
// Problems arrive as plain text and are shown with textContent: nothing from the data is executed.
(function () {
  "use strict";
  var shown = document.currentScript.dataset.seite;  // the build this page shows ("" while waiting)

  function panel() {
    var box = document.getElementById("berichtswerk-vorschau-meldung");
    if (!box) {
      box = document.createElement("aside");
      box.id = "berichtswerk-vorschau-meldung";
      box.setAttribute("role", "alert");
      box.setAttribute("aria-label", "Vorschau: Problem beim Bauen");
      box.style.cssText = "position:fixed;left:1rem;right:1rem;bottom:1rem;max-height:45vh;overflow:auto;" +
        "z-index:2147483647;background:#fff4f2;color:#5c0b00;border:3px solid #b00020;" +
        "border-radius:6px;padding:1rem 1.25rem;font:15px/1.45 system-ui,sans-serif;" +
        "box-shadow:0 6px 24px rgba(0,0,0,.25);white-space:pre-wrap";
    }
    if (!box.isConnected) document.body.appendChild(box);
    return box;
  }

  function showProblem(state) {
    var box = panel();
    box.textContent = "";
    var title = document.createElement("strong");
    title.textContent = state.titel + "\n";
    box.appendChild(title);
    box.appendChild(document.createTextNode(state.meldung));
    var hint = document.createElement("p");
    hint.style.margin = ".75rem 0 0";
    hint.textContent = "Die Seite zeigt den letzten guten Stand. Nach dem nächsten Speichern wird neu gebaut.";
    box.appendChild(hint);
  }

  function hideProblem() {
    var box = document.getElementById("berichtswerk-vorschau-meldung");
    if (box) box.remove();
  }

  function sameAttributes(a, b) {
    if (a.attributes.length !== b.attributes.length) return false;
    for (var i = 0; i < a.attributes.length; i++) {
      if (b.getAttribute(a.attributes[i].name) !== a.attributes[i].value) return false;
    }
    return true;
  }

  // Only what changed is replaced: a chapter (a child of <main>) or another part of the page whose
  // markup is the same keeps its nodes, and with them focus, selection and whatever the reader did there.
  function reconcile(current, next, depth) {
    var old = Array.prototype.slice.call(current.childNodes);
    var fresh = Array.prototype.slice.call(next.childNodes);
    var parallel = old.length === fresh.length && old.every(function (node, i) {
      return node.nodeName === fresh[i].nodeName;
    });
    if (!parallel) {
      current.replaceChildren.apply(current, fresh);
      return;
    }
    old.forEach(function (node, i) {
      var other = fresh[i];
      if (node.isEqualNode(other)) return;
      if (depth > 0 && node.nodeType === Node.ELEMENT_NODE && sameAttributes(node, other)) {
        reconcile(node, other, depth - 1);
      } else {
        node.replaceWith(other);
      }
    });
  }

  function swap(html) {
    var next = new DOMParser().parseFromString(html, "text/html");
    var x = window.scrollX, y = window.scrollY;
    var style = document.querySelector("head style"), nextStyle = next.querySelector("head style");
    if (style && nextStyle && style.textContent !== nextStyle.textContent) style.textContent = nextStyle.textContent;
    document.title = next.title;
    document.body.className = next.body.className;
    reconcile(document.body, next.body, 1);  // body → main → chapters
    window.scrollTo(x, y);
  }

  function apply(state) {
    document.documentElement.dataset.vorschauStand = String(state.stand);
    if (state.ok === false) { showProblem(state); return; }
    if (state.ok !== true) return;  // still building
    if (state.seite === shown) { hideProblem(); return; }
    fetch(location.pathname + "?seite=" + encodeURIComponent(state.seite), {cache: "no-store"})
      .then(function (r) { return r.text(); })
      .then(function (html) { hideProblem(); swap(html); shown = state.seite; });
  }

  var source = new EventSource("/__vorschau/ereignisse");
  source.addEventListener("stand", function (event) { apply(JSON.parse(event.data)); });
})();
