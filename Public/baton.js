// Baton — small progressive enhancements. Every page works without this file.
(function () {
  "use strict";
  var body = document.body;
  var workspaceId = body.getAttribute("data-workspace-id");

  // Confirm destructive actions.
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) event.preventDefault();
  });

  // Close menus when clicking elsewhere or pressing Escape.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) menu.removeAttribute("open");
    });
  });

  // Keyboard: g p people, g a activity, g t tokens, g r profile, ? help, Esc closes.
  var pending = null;
  var routes = { p: "/people", a: "/activity" };
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key === "Escape") {
      document.querySelectorAll("details[open]").forEach(function (menu) { menu.removeAttribute("open"); });
      var help = document.querySelector(".kbd-help");
      if (help) help.remove();
      return;
    }
    if (event.metaKey || event.ctrlKey || event.altKey) return;
    if (target.closest && target.closest("input, select, textarea, [contenteditable]")) return;
    if (pending === "g") {
      pending = null;
      if (routes[event.key] && workspaceId) location.href = "/w/" + workspaceId + routes[event.key];
      if (event.key === "t") location.href = "/tokens";
      if (event.key === "r") location.href = "/profile";
      return;
    }
    if (event.key === "g") { pending = "g"; setTimeout(function () { pending = null; }, 1200); return; }
    if (event.key === "?") { toggleHelp(); }
  });

  function toggleHelp() {
    var existing = document.querySelector(".kbd-help");
    if (existing) { existing.remove(); return; }
    var help = document.createElement("div");
    help.className = "kbd-help";
    help.setAttribute("role", "dialog");
    help.setAttribute("aria-label", "Keyboard shortcuts");
    help.innerHTML = "<strong>Keyboard shortcuts</strong><br><kbd>g</kbd> <kbd>p</kbd> People<br><kbd>g</kbd> <kbd>a</kbd> Activity<br>" +
      "<kbd>g</kbd> <kbd>r</kbd> Profile<br><kbd>g</kbd> <kbd>t</kbd> API tokens<br><kbd>?</kbd> this help · <kbd>Esc</kbd> close";
    body.appendChild(help);
  }

  // Live updates: one WebSocket per tab; reconnects with backoff and catches up on return.
  var badge = document.getElementById("live");
  if (!badge || !workspaceId || !window.WebSocket) return;
  var label = badge.querySelector(".label");
  var counter = badge.querySelector(".count");
  var fresh = 0;
  var retry = 1000;
  var feed = document.querySelector("[data-live-feed]");

  function setState(on) {
    badge.classList.toggle("on", on);
    label.textContent = on ? "Live" : "Reconnecting…";
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + location.host + "/api/v1/live?workspace_id=" + encodeURIComponent(workspaceId));
    socket.onopen = function () { setState(true); retry = 1000; };
    socket.onclose = function () { setState(false); setTimeout(connect, retry); retry = Math.min(retry * 2, 30000); };
    socket.onmessage = function (message) {
      var data;
      try { data = JSON.parse(message.data); } catch (e) { return; }
      if (data.type === "hello") { refreshFeed(); return; }
      if (data.type !== "event") return;
      fresh += 1;
      counter.hidden = false;
      counter.textContent = fresh + " new";
      refreshFeed();
      scheduleRegionRefresh();
    };
  }

  // The activity feed asks the server for the rendered items after the newest one shown.
  var feedBusy = false;
  function refreshFeed() {
    if (!feed || feedBusy) return;
    var newest = feed.querySelector("[data-event-id]");
    var after = newest ? newest.getAttribute("data-event-id") : "0";
    feedBusy = true;
    fetch(feed.getAttribute("data-live-feed") + "?after=" + after, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) {
        feedBusy = false;
        if (!html.trim()) return;
        var holder = document.createElement("ol");
        holder.innerHTML = html;
        Array.prototype.slice.call(holder.children).reverse().forEach(function (item) {
          if (feed.querySelector('[data-event-id="' + item.getAttribute("data-event-id") + '"]')) return;
          item.classList.add("fresh");
          feed.insertBefore(item, feed.firstChild);
        });
      })
      .catch(function () { feedBusy = false; });
  }

  // Other pages mark regions that are re-fetched (never while someone is typing in them).
  var regionTimer = null;
  function scheduleRegionRefresh() {
    if (!document.querySelector("[data-live-region]")) return;
    clearTimeout(regionTimer);
    regionTimer = setTimeout(refreshRegions, 250);
  }
  function refreshRegions() {
    fetch(location.href, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) {
        if (!html) return;
        var next = new DOMParser().parseFromString(html, "text/html");
        document.querySelectorAll("[data-live-region]").forEach(function (region) {
          if (region.contains(document.activeElement) && document.activeElement !== document.body) return;
          var replacement = next.querySelector('[data-live-region="' + region.getAttribute("data-live-region") + '"]');
          if (replacement) region.innerHTML = replacement.innerHTML;
        });
      });
  }

  connect();
})();
