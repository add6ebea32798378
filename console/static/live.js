/* Keeps the queue and the handoff pages current without a reload (server-sent events).
   The pages work without it: the server renders everything, this only adds what changed. */
(function () {
  "use strict";
  var source = document.querySelector("[data-live]");
  if (!source || !window.EventSource) { return; }
  var stream = new EventSource(source.getAttribute("data-live"));
  var notice = document.querySelector("[data-live-notice]");
  // The page keeps itself current now: the reload link is only for pages without it.
  stream.addEventListener("open", function () {
    document.querySelectorAll("[data-live-fallback]").forEach(function (element) { element.hidden = true; });
  });

  function read(event) {
    try { return JSON.parse(event.data); } catch (ignored) { return {}; }
  }
  function fragment(html) {
    var holder = document.createElement(html.trim().indexOf("<tr") === 0 ? "tbody" : "ul");
    holder.innerHTML = html;  // rendered and escaped by the server's templates
    return holder.firstElementChild;
  }
  function tell(words) {
    if (!notice) { return; }
    notice.textContent = words;
    notice.hidden = false;
  }
  function byData(name, value) {
    var found = null;
    document.querySelectorAll("[data-" + name + "]").forEach(function (element) {
      if (element.getAttribute("data-" + name) === value) { found = element; }
    });
    return found;
  }
  function upsert(list, key, value, html) {
    var fresh = fragment(html);
    var old = byData(key, value);
    if (old) { old.replaceWith(fresh); } else { list.insertBefore(fresh, list.firstChild); }
    fresh.classList.add("live-new");
    return !old;
  }

  // An empty page has no list to add to yet: it is rendered again instead.
  if (source.hasAttribute("data-live-empty")) {
    ["ticket", "handoff"].forEach(function (name) {
      stream.addEventListener(name, function () { window.location.reload(); });
    });
  }

  stream.addEventListener("ticket", function (event) {
    var body = document.querySelector("table.queue tbody");
    var data = read(event);
    if (!body || !data.html) { return; }
    if (upsert(body, "number", data.number, data.html)) { tell("Tiket baru: " + data.number); }
    var total = document.querySelector("[data-live-total]");
    if (total) { total.textContent = body.querySelectorAll("tr").length; }
  });
  stream.addEventListener("handoff", function (event) {
    var list = document.querySelector("ul.cards");
    var data = read(event);
    if (list && data.html) { upsert(list, "reference", data.reference, data.html); }
  });
  stream.addEventListener("gone", function (event) {
    var data = read(event);
    var old = data.number ? byData("number", data.number) : byData("reference", data.reference);
    if (old) { old.remove(); }
  });
  stream.addEventListener("count", function (event) {
    var count = document.getElementById("live-count");
    var data = read(event);
    if (count) { count.textContent = String((data.new || 0) + (data.escalated || 0)); }
  });
  stream.addEventListener("message", function (event) {
    var list = document.getElementById("messages");
    var data = read(event);
    if (!list || !data.html) { return; }
    var empty = list.querySelector("li.empty");
    if (empty) { empty.remove(); }
    list.appendChild(fragment(data.html));
  });
  stream.addEventListener("closed", function () { stream.close(); window.location.reload(); });
  stream.addEventListener("ended", function () { stream.close(); });
  window.addEventListener("pagehide", function () { stream.close(); });
})();
