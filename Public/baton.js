// Baton — small progressive enhancements. Every page works without this file.
(function () {
  "use strict";
  var body = document.body;
  document.documentElement.classList.add("js");
  // Small screens: the top bar's links fold into a menu.
  document.querySelectorAll(".menu-toggle").forEach(function (button) {
    button.addEventListener("click", function () {
      var open = button.closest(".topbar").classList.toggle("menu-open");
      button.setAttribute("aria-expanded", open ? "true" : "false");
    });
  });
  var workspaceId = body.getAttribute("data-workspace-id");

  // Confirm destructive actions.
  // Colours set from data attributes: the Content-Security-Policy allows no inline styles.
  function paintSwatches(root) {
    root.querySelectorAll("[data-color]").forEach(function (swatch) {
      var color = swatch.getAttribute("data-color");
      if (/^#[0-9a-fA-F]{6}$/.test(color)) swatch.style.backgroundColor = color;
    });
  }
  paintSwatches(document);

  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) event.preventDefault();
  });

  // Copy buttons (an invitation link): the text of the input they name, with a word that it worked.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-copy]");
    if (!button) return;
    var input = document.getElementById(button.getAttribute("data-copy"));
    if (!input) return;
    input.select();
    var done = function () { button.textContent = "Copied"; setTimeout(function () { button.textContent = "Copy link"; }, 2000); };
    if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(input.value).then(done, function () { document.execCommand("copy"); done(); });
    else { document.execCommand("copy"); done(); }
  });
  document.addEventListener("focusin", function (event) {
    if (event.target.hasAttribute && event.target.hasAttribute("data-select-on-focus")) event.target.select();
  });

  // New people get their browser's time zone (they can change it on their profile).
  document.querySelectorAll("[data-browser-time-zone]").forEach(function (input) {
    try { var zone = Intl.DateTimeFormat().resolvedOptions().timeZone; if (zone) input.value = zone; } catch (e) { /* UTC stays */ }
  });

  // Forms marked data-async save without reloading the page, so nothing typed elsewhere is lost:
  // the answer's regions replace those that hold no unsaved typing. Leaving with unsaved edits warns.
  function fieldDirty(el) {
    if (!el.name || el.type === "hidden" || el.type === "submit" || el.tagName === "BUTTON") return false;
    if (el.type === "checkbox" || el.type === "radio") return el.checked !== el.defaultChecked;
    if (el.tagName === "SELECT") return Array.prototype.some.call(el.options, function (o) { return o.selected !== o.defaultSelected; });
    return el.value !== el.defaultValue;
  }
  function formDirty(form) { return Array.prototype.some.call(form.elements, fieldDirty); }
  function regionDirty(region) {
    var forms = region.tagName === "FORM" ? [region] : Array.prototype.slice.call(region.querySelectorAll("form"));
    return forms.some(formDirty);
  }
  var leaving = false;
  window.addEventListener("beforeunload", function (event) {
    if (leaving || !Array.prototype.some.call(document.forms, formDirty)) return;
    event.preventDefault();
    event.returnValue = "";
  });
  function markUnsaved() {
    document.querySelectorAll("form[data-main-form]").forEach(function (form) {
      var note = form.querySelector("[data-unsaved]");
      if (note) note.hidden = !formDirty(form);
    });
  }
  document.addEventListener("input", markUnsaved);
  document.addEventListener("change", markUnsaved);

  // The main form keeps what the user typed: re-rendered, then their unsaved values put back.
  // After their own save went through, the server's answer is the form; after a refused or
  // conflicting save their values go back over it with its new version and fingerprint; on a live
  // refresh the old ones stay, so the server's three-way merge still sees what the form was based on.
  // A form's fields as values, and those values put back into a form of the same shape.
  function snapshot(elements) {
    return elements.map(function (el) { return { name: el.name, value: el.value, checked: el.checked, type: el.type }; });
  }
  function putBack(form, fields) {
    fields.forEach(function (field) {
      var el = form.elements[field.name];
      if (!el || el.length !== undefined && el.tagName !== "SELECT") return;
      if (field.type === "checkbox" || field.type === "radio") el.checked = field.checked; else el.value = field.value;
    });
  }
  function typedInto(form) { return snapshot(Array.prototype.filter.call(form.elements, fieldDirty)); }

  function refreshForm(form, replacement, ownSave, ok) {
    if (ownSave && ok) { form.innerHTML = replacement.innerHTML; markUnsaved(); return; }
    var typed = typedInto(form);
    var oldVersion = form.elements.version ? form.elements.version.value : null;
    var oldBase = form.elements.base ? form.elements.base.value : null;
    form.innerHTML = replacement.innerHTML;
    putBack(form, typed);
    if (!ownSave && typed.length && oldBase !== null && form.elements.base) {
      // the fields being typed in keep what they were based on (so the server sees a clash, if
      // any); every other field takes the refreshed value as its base, so it is never posted as an edit
      var fresh = parseBase(form.elements.base.value), old = parseBase(oldBase);
      typed.forEach(function (field) { if (old.hasOwnProperty(field.name)) fresh[field.name] = old[field.name]; });
      form.elements.base.value = Object.keys(fresh).sort().map(function (key) { return key + "=" + fresh[key]; }).join("&");
      if (form.elements.version) form.elements.version.value = oldVersion;
    }
    markUnsaved();
  }
  function parseBase(text) {
    var result = {};
    text.split("&").forEach(function (pair) { var at = pair.indexOf("="); if (at > 0) result[pair.slice(0, at)] = pair.slice(at + 1); });
    return result;
  }

  // What was typed into a region's forms, by form (its action and place among same-action forms).
  function formKey(region, form) {
    var action = form.getAttribute("action");
    var same = Array.prototype.filter.call(region.querySelectorAll("form"), function (f) { return f.getAttribute("action") === action; });
    return action + "#" + same.indexOf(form);
  }
  function captureTyping(region, except) {
    var drafts = {};
    Array.prototype.forEach.call(region.querySelectorAll("form"), function (form) {
      if (form === except || !formDirty(form)) return;
      drafts[formKey(region, form)] = typedInto(form);
    });
    return drafts;
  }
  function restoreTyping(region, drafts) {
    Array.prototype.forEach.call(region.querySelectorAll("form"), function (form) { putBack(form, drafts[formKey(region, form)] || []); });
  }

  // `sent`: what the submitted form held, put back into it when it was refused.
  function swapRegions(next, submitted, ok, sent) {
    document.querySelectorAll("[data-live-region]").forEach(function (region) {
      var replacement = next.querySelector('[data-live-region="' + region.getAttribute("data-live-region") + '"]');
      if (!replacement || region.querySelector(".dragging")) return;
      if (region.hasAttribute("data-main-form")) { refreshForm(region, replacement, region === submitted, ok); return; }
      var holdsSubmitted = submitted && region.contains(submitted);
      var focused = document.activeElement;
      var typing = region.contains(focused) && focused !== document.body && !(focused.classList && focused.classList.contains("task-card"));
      if (!holdsSubmitted && (typing || regionDirty(region))) return;
      var focusedTask = region.contains(focused) && focused.getAttribute ? focused.getAttribute("data-task-id") : null;
      // a refused form keeps what was typed into it; its neighbours always keep theirs
      var drafts = holdsSubmitted ? captureTyping(region, ok ? submitted : null) : {};
      if (holdsSubmitted && !ok) drafts[formKey(region, submitted)] = sent;
      region.innerHTML = replacement.innerHTML;
      restoreTyping(region, drafts);
      paintSwatches(region);
      if (focusedTask) {
        var again = region.querySelector('[data-task-id="' + focusedTask + '"]');
        if (again) again.focus();
      }
    });
    document.dispatchEvent(new CustomEvent("baton:regions"));
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented) return;
    if (!form.hasAttribute("data-async") || !window.fetch || !window.DOMParser) { leaving = true; return; }
    event.preventDefault();
    if (form.getAttribute("aria-busy") === "true") return;
    form.setAttribute("aria-busy", "true");
    var sent = snapshot(Array.prototype.filter.call(form.elements, function (el) { return el.name && el.type !== "hidden"; }));
    // getAttribute: a field named "action" would shadow form.action
    fetch(form.getAttribute("action") || location.href, { method: "POST", credentials: "same-origin", body: new URLSearchParams(new FormData(form)) })
      .then(function (response) { return response.text().then(function (html) { return { ok: response.ok, html: html, url: response.url }; }); })
      .then(function (reply) {
        form.removeAttribute("aria-busy");
        var next = new DOMParser().parseFromString(reply.html, "text/html");
        // the answer is another page: a refusal is shown here, anything else (signed out, say) is
        // followed; the post is never sent twice
        if (!next.querySelector("[data-live-region]")) {
          var main = next.querySelector("main");
          if (!reply.ok) { toast(main ? main.textContent.trim().replace(/\s+/g, " ").slice(0, 300) : "Not saved."); return; }
          leaving = true; location.href = reply.url || location.href; return;
        }
        swapRegions(next, form, reply.ok, sent);
        var notice = next.querySelector(".notice");
        if (reply.ok && notice) toast(notice.textContent);
        if (reply.ok) return;
        var invalid = document.querySelector('[aria-invalid="true"]') || document.querySelector("[role=alert]");
        if (invalid) { if (invalid.focus) invalid.focus(); invalid.scrollIntoView({ block: "center" }); }
      })
      .catch(function () { form.removeAttribute("aria-busy"); toast("Not saved: Baton could not be reached. Your text is still here; try again."); });
  });

  // Close menus when clicking elsewhere or pressing Escape.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) menu.removeAttribute("open");
    });
  });

  // Keyboard: g + a module link's letter (data-shortcut), g t tokens, g r profile, ? help, Esc closes.
  var pending = null;
  var routes = {};
  document.querySelectorAll("nav.modules a[data-shortcut]").forEach(function (link) { routes[link.dataset.shortcut] = link; });
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
      if (routes[event.key]) location.href = routes[event.key].href;
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
    var title = document.createElement("strong");
    title.textContent = "Keyboard shortcuts";
    help.appendChild(title);
    function line(key, label) {
      help.appendChild(document.createElement("br"));
      [["kbd", "g"], ["text", " "], ["kbd", key], ["text", " " + label]].forEach(function (part) {
        if (part[0] === "text") { help.appendChild(document.createTextNode(part[1])); return; }
        var kbd = document.createElement("kbd");
        kbd.textContent = part[1];
        help.appendChild(kbd);
      });
    }
    // the link's own words, without its badge
    Object.keys(routes).forEach(function (key) { line(key, routes[key].firstChild.textContent.trim()); });
    line("r", "Profile");
    line("t", "API tokens");
    // keys of their own, on a focused board card
    [["[", "]", "move the focused card a stage back / on"], ["Enter", null, "open the focused card"],
     ["?", null, "this help"], ["Esc", null, "close"]].forEach(function (entry) {
      help.appendChild(document.createElement("br"));
      [entry[0], entry[1]].forEach(function (key) {
        if (!key) return;
        var kbd = document.createElement("kbd");
        kbd.textContent = key;
        help.appendChild(kbd);
        help.appendChild(document.createTextNode(" "));
      });
      help.appendChild(document.createTextNode(entry[2]));
    });
    body.appendChild(help);
  }

  // Board: drag a card to another column, or focus it and press [ / ] — one PATCH either way.
  var csrfMeta = document.querySelector('meta[name="csrf"]');
  var csrf = csrfMeta ? csrfMeta.getAttribute("content") : "";
  function toast(message) {
    var box = document.getElementById("toast");
    if (!box) { window.alert(message); return; }
    box.textContent = message;
    box.hidden = false;
    clearTimeout(box._timer);
    box._timer = setTimeout(function () { box.hidden = true; }, 6000);
  }
  function moveCard(card, column) {
    var from = card.closest(".column");
    if (!column || column === from) return;
    var list = column.querySelector(".cards");
    list.insertBefore(card, list.firstChild);
    var change = { version: Number(card.getAttribute("data-version")) };
    if (column.getAttribute("data-stage-id") !== from.getAttribute("data-stage-id")) change.stage_id = column.getAttribute("data-stage-id");
    // Swimlanes: a card dropped in another person's lane is handed to them.
    var lane = column.getAttribute("data-assignee");
    if (lane && lane !== from.getAttribute("data-assignee")) change.assignee_id = lane === "none" ? null : lane;
    fetch("/api/v1/tasks/" + card.getAttribute("data-task-id"), {
      method: "PATCH", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(change)
    }).then(function (response) {
      return response.json().then(function (body) {
        if (response.ok) {
          card.setAttribute("data-version", body.task.version);
          if ("assignee_id" in change) showAssignee(card, column.closest(".lane"), change.assignee_id);
          updateCounts();
        } else {
          from.querySelector(".cards").insertBefore(card, from.querySelector(".cards").firstChild);
          toast(body.error ? body.error.message : "Could not move the task.");
        }
        card.focus();
      });
    }).catch(function () { toast("Could not reach the server."); });
  }
  function showAssignee(card, lane, assigneeId) {
    var avatar = card.querySelector(".avatar");
    var name = assigneeId && lane ? lane.getAttribute("aria-label") : "";
    if (!name) { if (avatar) avatar.remove(); return; }
    if (!avatar) {
      avatar = document.createElement("span");
      avatar.className = "avatar small-avatar";
      card.querySelector(".card-meta").appendChild(avatar);
    }
    avatar.title = name;
    avatar.textContent = name.split(/\s+/).slice(0, 2).map(function (part) { return part.charAt(0).toUpperCase(); }).join("");
  }
  function updateCounts() {
    document.querySelectorAll(".column, .lane").forEach(function (group) {
      var pill = group.querySelector("h2 .count-pill");
      if (pill) pill.textContent = group.querySelectorAll(".task-card").length;
    });
  }
  document.addEventListener("dragstart", function (event) {
    var card = event.target.closest && event.target.closest(".task-card");
    if (!card) return;
    card.classList.add("dragging");
    event.dataTransfer.setData("text/plain", card.getAttribute("data-task-id"));
    event.dataTransfer.effectAllowed = "move";
  });
  document.addEventListener("dragend", function (event) {
    var card = event.target.closest && event.target.closest(".task-card");
    if (card) card.classList.remove("dragging");
    document.querySelectorAll(".drop-target").forEach(function (c) { c.classList.remove("drop-target"); });
  });
  document.addEventListener("dragover", function (event) {
    var column = event.target.closest && event.target.closest(".column");
    if (!column) return;
    event.preventDefault();
    document.querySelectorAll(".drop-target").forEach(function (c) { if (c !== column) c.classList.remove("drop-target"); });
    column.classList.add("drop-target");
  });
  document.addEventListener("drop", function (event) {
    var column = event.target.closest && event.target.closest(".column");
    if (!column) return;
    event.preventDefault();
    column.classList.remove("drop-target");
    var card = document.querySelector('.task-card[data-task-id="' + event.dataTransfer.getData("text/plain") + '"]');
    if (card) moveCard(card, column);
  });
  document.addEventListener("keydown", function (event) {
    var card = event.target.closest && event.target.closest(".task-card");
    if (!card || event.target !== card) return;
    var column = card.closest(".column");
    // a blocked-category stage (kept by older projects) is stepped over: the blocked flag says blocked
    function step(from, forward) {
      var next = forward ? from.nextElementSibling : from.previousElementSibling;
      while (next && next.getAttribute("data-category") === "blocked") next = forward ? next.nextElementSibling : next.previousElementSibling;
      return next;
    }
    if (event.key === "]") { event.preventDefault(); moveCard(card, step(column, true)); }
    if (event.key === "[") { event.preventDefault(); moveCard(card, step(column, false)); }
    if (event.key === "Enter") { card.querySelector("a").click(); }
  });

  // Touch: each card's stage choice moves it like a drag (within its swimlane).
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.hasAttribute || !select.hasAttribute("data-move-card")) return;
    var card = select.closest(".task-card");
    var scope = card.closest(".lane") || document;
    moveCard(card, scope.querySelector('.column[data-stage-id="' + select.value + '"]'));
  });

  // Table: one choice changes the stage; select all. (Headers are links: the server sorts.)
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (select.matches && select.matches("[data-select-all]")) {
      select.closest("table").querySelectorAll('tbody input[type="checkbox"]').forEach(function (box) { box.checked = select.checked; });
      return;
    }
    if (!(select.classList && select.classList.contains("stage-select"))) return;
    fetch("/api/v1/tasks/" + select.getAttribute("data-task-id"), {
      method: "PATCH", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify({ version: Number(select.getAttribute("data-version")), stage_id: select.value })
    }).then(function (response) {
      return response.json().then(function (body) {
        if (response.ok) { select.setAttribute("data-version", body.task.version); toast("Moved to " + select.options[select.selectedIndex].text + "."); }
        else { toast(body.error ? body.error.message : "Could not change the stage."); select.value = select.querySelector("option[selected]").value; }
      });
    });
  });

  // Channels and threads: the list stays at its newest line while one reads there, Enter sends
  // (Shift+Enter for a new line), typing is told to the room and shown, presence dots follow.
  (function chat() {
    var scroll = document.querySelector("[data-chat-scroll]");
    if (!scroll) return;
    var room = (scroll.getAttribute("data-room") || "").toLowerCase();
    var stick = true;
    function toBottom() { scroll.scrollTop = scroll.scrollHeight; }
    var target = location.hash && document.getElementById(location.hash.slice(1));
    if (target && scroll.contains(target)) { target.scrollIntoView({ block: "center" }); target.classList.add("fresh"); } else { toBottom(); }
    scroll.addEventListener("scroll", function () { stick = scroll.scrollHeight - scroll.scrollTop - scroll.clientHeight < 80; });
    document.addEventListener("baton:regions", function () { if (stick) toBottom(); });
    document.addEventListener("keydown", function (event) {
      var field = event.target;
      if (!field.matches || !field.matches("[data-composer] textarea") || event.key !== "Enter" || event.shiftKey || event.isComposing) return;
      event.preventDefault();
      if (!field.value.trim()) return;
      stick = true;
      if (field.form.requestSubmit) field.form.requestSubmit(); else field.form.submit();
    });
    document.addEventListener("input", function (event) {
      if (event.target.matches && event.target.matches("[data-composer] textarea") && window.batonLive) {
        window.batonLive.send({ type: "typing", room_id: room });
      }
    });
    var typing = {};
    var line = document.querySelector("[data-typing]");
    function person(id) {
      var found = null;
      document.querySelectorAll("[data-presence-user]").forEach(function (item) {
        if (item.getAttribute("data-presence-user").toLowerCase() === String(id).toLowerCase()) found = item;
      });
      return found;
    }
    function showTyping() {
      var now = Date.now();
      var names = Object.keys(typing).filter(function (id) { return now - typing[id] < 4000; })
        .map(function (id) { var item = person(id); return item ? item.textContent.trim() : "Someone"; });
      if (line) line.textContent = names.length === 0 ? "" : names.join(", ") + (names.length === 1 ? " is typing…" : " are typing…");
    }
    document.addEventListener("baton:signal", function (event) {
      var signal = event.detail || {};
      if (signal.type === "typing" && String(signal.room_id).toLowerCase() === room) {
        typing[signal.user_id] = Date.now();
        showTyping();
        setTimeout(showTyping, 4100);
      }
      if (signal.type === "presence") {
        var item = person(signal.user_id);
        if (item) item.setAttribute("data-presence", signal.status);
      }
    });
  })();

  // Live updates: one WebSocket per tab; reconnects with backoff and catches up on return.
  var badge = document.getElementById("live");
  if (!badge || !workspaceId || !window.WebSocket) return;
  var label = badge.querySelector(".label");
  var counter = badge.querySelector(".count");
  var fresh = 0;
  var retry = 1000;
  var feed = document.querySelector("[data-live-feed]");

  function setBadge(page, count) {
    document.querySelectorAll('[data-badge="' + page + '"]').forEach(function (badge) {
      badge.querySelector(".n").textContent = String(count);
      badge.hidden = !(count > 0);
    });
  }

  function setState(on) {
    badge.classList.toggle("on", on);
    label.textContent = on ? "Live" : "Reconnecting…";
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + location.host + "/api/v1/live?workspace_id=" + encodeURIComponent(workspaceId));
    socket.onopen = function () {
      setState(true); retry = 1000;
      window.batonLive = { send: function (signal) { if (socket.readyState === 1) socket.send(JSON.stringify(signal)); } };
      if (document.hidden) window.batonLive.send({ type: "presence", status: "away" });
    };
    socket.onclose = function () { window.batonLive = null; setState(false); setTimeout(connect, retry); retry = Math.min(retry * 2, 30000); };
    socket.onmessage = function (message) {
      var data;
      try { data = JSON.parse(message.data); } catch (e) { return; }
      if (data.type === "hello") { refreshFeed(); return; }
      if (data.type === "typing" || data.type === "presence") { document.dispatchEvent(new CustomEvent("baton:signal", { detail: data })); return; }
      if (data.type !== "event") return;
      var event = data.event || {};
      // An inbox's own events move its badge (they are the reader's alone), nothing else.
      if (event.kind && event.kind.indexOf("notification.") === 0) {
        if (event.data && event.data.unread !== undefined && String(event.workspace_id).toLowerCase() === workspaceId.toLowerCase()) {
          setBadge("inbox", Number(event.data.unread));
        }
        scheduleRegionRefresh();
        return;
      }
      fresh += 1;
      counter.hidden = false;
      counter.textContent = fresh + " new";
      refreshFeed();
      // a channel's page follows its own room, new messages elsewhere (for the unread counts) and
      // changes to the tasks and requests its chips show
      var chatRoom = document.querySelector("[data-chat-scroll]");
      var room = event.data && event.data.room_id;
      if (chatRoom && room && room.toLowerCase() !== (chatRoom.getAttribute("data-room") || "").toLowerCase() && event.kind !== "message.posted") return;
      if (chatRoom && !room && !(event.subject_id && document.querySelector('a.chip[href*="' + String(event.subject_id).replace(/[^0-9a-fA-F-]/g, "") + '" i]'))) return;
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
    // a hidden tab refreshes without counting as read (channels mark read when seen)
    fetch(location.href, { credentials: "same-origin", headers: { "X-Baton-Hidden": document.hidden ? "1" : "0" } })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) {
        if (!html) return;
        swapRegions(new DOMParser().parseFromString(html, "text/html"), null);
      });
  }


  document.addEventListener("visibilitychange", function () {
    if (window.batonLive) window.batonLive.send({ type: "presence", status: document.hidden ? "away" : "online" });
    if (!document.hidden && document.querySelector("[data-chat-scroll]")) scheduleRegionRefresh();
  });

  // Selects marked data-autosubmit send their form when changed (filters).
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("select[data-autosubmit]")) event.target.form.submit();
  });

  // The rule editor (and forms like it: a request's form, a template's editor): each part shows
  // the fields its choice takes; spare rows appear one at a time; the preview beside the form
  // (`data-preview-target`) follows what is typed, and changes nothing.
  document.querySelectorAll("form[data-rule-editor]").forEach(function (form) {
    function scopeOf(el) { return el.closest("[data-switch-scope]"); }
    function applySwitches() {
      form.querySelectorAll("[data-show-for]").forEach(function (el) {
        var scope = scopeOf(el);
        var select = scope && scope.querySelector("select[data-switch]");
        if (!select) return;
        var shown = el.getAttribute("data-show-for").split(" ").indexOf(select.value) >= 0;
        el.hidden = !shown;
      });
    }
    function isEmptyRow(row) {
      var first = row.querySelector("select");
      return !first || first.value === "";
    }
    function layoutRows() {
      form.querySelectorAll("[data-rows]").forEach(function (list) {
        var rows = Array.prototype.slice.call(list.querySelectorAll(":scope > [data-row]"));
        var blankShown = false;
        rows.forEach(function (row) {
          if (!isEmptyRow(row) || row.hasAttribute("data-opened")) { row.hidden = false; return; }
          row.hidden = blankShown;
          if (!row.hidden) blankShown = true;
        });
        var add = list.parentNode.querySelector("[data-add-row]");
        if (add) add.hidden = !rows.some(function (row) { return row.hidden; });
      });
    }
    form.addEventListener("click", function (event) {
      var add = event.target.closest("[data-add-row]");
      if (add) {
        var next = add.parentNode.querySelector("[data-rows] > [data-row][hidden]");
        if (next) { next.hidden = false; next.setAttribute("data-opened", ""); var field = next.querySelector("select"); if (field) field.focus(); }
        layoutRows();
        return;
      }
      var clear = event.target.closest("[data-clear-row]");
      if (clear) {
        var row = clear.closest("[data-row]");
        row.querySelectorAll("select").forEach(function (s) { s.selectedIndex = 0; });
        row.querySelectorAll("input, textarea").forEach(function (i) { if (i.type === "checkbox") i.checked = false; else i.value = ""; });
        row.removeAttribute("data-opened");
        applySwitches(); layoutRows(); schedulePreview();
      }
    });
    var previewTimer = null, previewSeq = 0;
    function runPreview() {
      var targetID = form.getAttribute("data-preview-target") || "rule-preview";
      var target = document.getElementById(targetID);
      if (!target) return;
      var seq = ++previewSeq;
      target.setAttribute("aria-busy", "true");
      fetch(form.getAttribute("data-preview"), {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(new FormData(form)).toString()
      }).then(function (response) { return response.text(); }).then(function (html) {
        if (seq !== previewSeq) return;
        var next = new DOMParser().parseFromString(html, "text/html").getElementById(targetID);
        if (next) target.innerHTML = next.innerHTML;
        target.removeAttribute("aria-busy");
      }).catch(function () { target.removeAttribute("aria-busy"); });
    }
    function schedulePreview() { clearTimeout(previewTimer); previewTimer = setTimeout(runPreview, 700); }
    form.addEventListener("change", function () { applySwitches(); layoutRows(); schedulePreview(); });
    form.addEventListener("input", schedulePreview);
    var previewButton = form.querySelector("[data-preview-button]");
    if (previewButton) previewButton.addEventListener("click", function (event) { event.preventDefault(); runPreview(); });
    applySwitches(); layoutRows();
  });

  connect();
})();
