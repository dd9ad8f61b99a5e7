/* Live board: the page follows the community's changes over one SSE stream per viewer
   (templates/live/_connect.html), and falls back to polling when the stream cannot be held. */
(function () {
  "use strict";
  var live = document.getElementById("live");
  if (!live || !window.htmx) return;

  var HELLO_WAIT_MS = 10000; // a buffering proxy opens the stream but delivers nothing
  var MAX_FAILURES = 3;
  var POLL_MS = 5000;

  var lastId = Number(live.getAttribute("data-last-id")) || 0;
  var applied = new Set(); // event ids this page has applied: a replay after a reconnect may repeat some
  var failures = 0;
  var helloSeen = false;
  var pollTimer = null;
  var highlighted = new Set();

  function resumeUrl(url) {
    var u = new URL(url, location.href);
    u.searchParams.set("last_id", String(lastId));
    u.searchParams.set("resume", "1");
    return u.pathname + u.search;
  }

  function startPolling() {
    if (pollTimer || !live.getAttribute("data-poll-url")) return;
    live.setAttribute("data-live-mode", "polling");
    poll();
    pollTimer = window.setInterval(poll, POLL_MS);
  }

  function stopPolling() {
    if (!pollTimer) return;
    window.clearInterval(pollTimer);
    pollTimer = null;
    live.setAttribute("data-live-mode", "stream");
  }

  function poll() {
    htmx.ajax("GET", live.getAttribute("data-poll-url"), {
      source: live, target: live, swap: "none", values: { last_id: String(lastId) }
    });
  }

  // htmx-ext-sse builds a new EventSource after an error: let it resume where this page is.
  if (typeof htmx.createEventSource === "function") {
    var create = htmx.createEventSource;
    var connections = 0;
    htmx.createEventSource = function (url) {
      connections += 1;
      return create(connections > 1 ? resumeUrl(url) : url);
    };
  } else {
    startPolling(); // no SSE extension (or no EventSource): poll from the start
  }
  if (!("EventSource" in window)) startPolling();

  var helloTimer = window.setTimeout(function () { if (!helloSeen) startPolling(); }, HELLO_WAIT_MS);

  live.addEventListener("htmx:sseOpen", function (e) {
    e.detail.source.addEventListener("hello", function () {
      helloSeen = true;
      failures = 0;
      window.clearTimeout(helloTimer);
      live.setAttribute("data-live-mode", "stream");
      stopPolling();
    });
  });

  live.addEventListener("htmx:sseError", function () {
    failures += 1;
    helloSeen = false;
    live.setAttribute("data-live-mode", "reconnecting");
    if (failures >= MAX_FAILURES) startPolling();
  });

  live.addEventListener("htmx:sseBeforeMessage", function (e) {
    var id = Number(e.detail.lastEventId) || 0;
    if (id && applied.has(id)) { e.preventDefault(); return; }
    if (id) {
      applied.add(id);
      if (applied.size > 2000) applied.delete(applied.values().next().value);
      lastId = Math.max(lastId, id);
    }
  });

  live.addEventListener("htmx:afterRequest", function (e) {
    var xhr = e.detail.xhr;
    var newest = xhr && Number(xhr.getResponseHeader("X-Live-Last-Id"));
    if (newest) lastId = Math.max(lastId, newest);
  });

  function matchesFilters(card) {
    var form = document.getElementById("filters");
    if (!form) return true;
    var data = new FormData(form);
    var kind = data.get("kind"), category = data.get("category"), building = data.get("building");
    var q = String(data.get("q") || "").trim().toLowerCase();
    if (kind && !card.classList.contains("kind-" + kind)) return false;
    if (category && card.getAttribute("data-category") !== category) return false;
    if (building && card.getAttribute("data-building") !== building) return false;
    if (data.get("urgent") && !card.classList.contains("urgent")) return false;
    return !q || card.textContent.toLowerCase().indexOf(q) >= 0;
  }

  function oobTarget(elt) {
    var value = elt.getAttribute("data-hx-swap-oob");
    var colon = value.indexOf(":");
    if (colon > 0) return value.slice(colon + 1);
    return elt.id ? "#" + CSS.escape(elt.id) : null;
  }

  // Every live message is a set of out-of-band swaps for all the pages a change may show on. Keep
  // the ones this page has a place for (htmx would report the others as errors), and a card new on
  // the board only when this board does not show it yet and its filters let it in.
  htmx.defineExtension("live", {
    transformResponse: function (text) {
      var template = document.createElement("template");
      template.innerHTML = text;
      var parts = [];
      // A part that cannot stand alone (a list item, a second copy of a card) comes inside a <template>.
      Array.prototype.slice.call(template.content.children).forEach(function (child) {
        parts.push.apply(parts, child.tagName === "TEMPLATE" ? Array.prototype.slice.call(child.content.children) : [child]);
      });
      parts.forEach(function (part) {
        if (!part.hasAttribute("data-hx-swap-oob")) return;
        var selector = oobTarget(part);
        var target = selector && document.querySelector(selector);
        var card = part.querySelector(":scope > article.card");
        var isInsert = /^afterbegin:/.test(part.getAttribute("data-hx-swap-oob"));
        if (!target || (isInsert && card && (document.getElementById(card.id) || !matchesFilters(card)))) part.remove();
      });
      return template.innerHTML;
    }
  });

  document.body.addEventListener("htmx:oobAfterSwap", function (e) {
    var target = e.detail.target;
    if (target && target.id === "card-list") {
      var empty = target.querySelector(":scope > .empty");
      if (empty) empty.remove();
    }
  });

  // A card being filled in (how many to ask for, a thank-you, a doorstep note) is not redrawn under
  // the resident's fingers: its refresh waits until they leave the form, and their submit redraws it.
  function editing(card) {
    var active = document.activeElement;
    if (active && card.contains(active) && active.matches("input, textarea, select")) return true;
    return Array.prototype.some.call(card.querySelectorAll("input:not([type=hidden]), textarea"), function (field) {
      if (field.type === "checkbox" || field.type === "radio") return field.checked !== field.defaultChecked;
      return field.value !== field.defaultValue;
    });
  }

  // Checked when the refresh starts and again when its answer arrives: typing may begin in between.
  function holdRefresh(e, cancel) {
    // On beforeSwap `elt` is the swap's target; the span that asked is the request's own element.
    var elt = (e.detail.requestConfig && e.detail.requestConfig.elt) || e.detail.elt;
    if (!(elt instanceof Element) || !elt.matches("span[hidden][data-live-refresh]")) return;
    // A refreshed card, or a listed region (a shelf's gifts waiting, with their reject notes).
    var card = elt.closest("article.card") || elt.closest("[data-live-region]");
    if (!card || !editing(card)) return;
    cancel();
    card.setAttribute("data-live-stale", elt.getAttribute("data-hx-get"));
    elt.remove();
  }

  document.body.addEventListener("htmx:beforeRequest", function (e) {
    holdRefresh(e, function () { e.preventDefault(); });
  });

  document.body.addEventListener("htmx:beforeSwap", function (e) {
    holdRefresh(e, function () { e.detail.shouldSwap = false; });
  });

  document.body.addEventListener("focusout", function (e) {
    var card = e.target instanceof Element && e.target.closest("article.card[data-live-stale], [data-live-region][data-live-stale]");
    if (!card) return;
    window.setTimeout(function () {
      if (!card.isConnected || editing(card)) return;
      var url = card.getAttribute("data-live-stale");
      card.removeAttribute("data-live-stale");
      htmx.ajax("GET", url, { source: card, target: card, swap: "outerHTML" });
    }, 0);
  });

  function flash(card, className) {
    card.classList.remove(className);
    void card.offsetWidth; // restart the animation
    card.classList.add(className);
  }

  htmx.onLoad(function (elt) {
    if (!(elt instanceof Element)) return;
    if (elt.matches("article.card") && highlighted.has(elt.id)) elt.classList.add("live-arrived");
    if (elt.matches("#card-list > article.card")) flash(elt, "live-changed");
    var alerts = elt.matches("[data-live-alert]") ? [elt] : Array.prototype.slice.call(elt.querySelectorAll("[data-live-alert]"));
    alerts.forEach(function (alert) {
      var cardId = alert.getAttribute("data-card");
      if (cardId && alert.getAttribute("data-live-alert") === "left_at_door") {
        highlighted.add(cardId);
        var card = document.getElementById(cardId);
        if (card) card.classList.add("live-arrived");
      }
      if (navigator.vibrate) navigator.vibrate([200, 100, 200]);
    });
    if (elt.matches("[data-live-reload]") || elt.querySelector("[data-live-reload]")) location.reload();
  });
})();
