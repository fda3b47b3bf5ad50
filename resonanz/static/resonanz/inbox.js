/* Inbox behaviour: keyboard triage, realtime updates (server-sent events), presence. */
(function () {
  "use strict";
  var inbox = document.getElementById("inbox");
  if (!inbox) { return; }
  var csrf = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"];
  var rowsBox = document.getElementById("rows");
  var panel = document.getElementById("panel");
  var live = document.getElementById("live-status");

  function rows() { return Array.prototype.slice.call(rowsBox.querySelectorAll("li.row")); }
  function current() { return rowsBox.querySelector("li.row.current") || null; }
  function openId() { var c = panel.querySelector(".conversation"); return c ? c.getAttribute("data-id") : null; }

  function select(row) {
    rows().forEach(function (r) { r.classList.remove("current"); });
    if (row) { row.classList.add("current"); row.focus({ preventScroll: true }); row.scrollIntoView({ block: "nearest" }); }
  }

  function open(row) {
    if (!row) { return; }
    select(row);
    row.classList.remove("unread");
    htmx.ajax("GET", row.getAttribute("data-panel"), { target: "#panel", swap: "innerHTML" }).then(function () {
      history.replaceState(null, "", row.getAttribute("data-url") + location.search);
    });
  }

  function move(step) {
    var list = rows(), cur = current(), i = list.indexOf(cur);
    var next = list[Math.max(0, Math.min(list.length - 1, i + step))] || list[0];
    select(next);
  }

  function post(url, values) {
    return htmx.ajax("POST", url, { target: "#panel", swap: "innerHTML", values: values, headers: { "X-CSRFToken": csrf } });
  }

  function updateUrl() {
    var conv = panel.querySelector(".conversation");
    return conv ? conv.getAttribute("data-presence").replace(/presence\/$/, "update/") : null;
  }

  rowsBox.addEventListener("click", function (ev) {
    var link = ev.target.closest("a.rowlink");
    if (!link || ev.ctrlKey || ev.metaKey || ev.shiftKey) { return; }
    ev.preventDefault();
    open(link.closest("li.row"));
  });

  document.addEventListener("keydown", function (ev) {
    var tag = (ev.target.tagName || "").toLowerCase();
    var typing = tag === "input" || tag === "textarea" || tag === "select" || ev.target.isContentEditable;
    if (ev.key === "Escape" && typing) { ev.target.blur(); return; }
    if (typing) {
      if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey) && ev.target.form) { ev.preventDefault(); ev.target.form.requestSubmit(); }
      return;
    }
    if (ev.ctrlKey || ev.metaKey || ev.altKey) { return; }
    var url = updateUrl();
    switch (ev.key) {
      case "j": move(1); break;
      case "k": move(-1); break;
      case "Enter": open(current()); break;
      case "x": var cb = current() && current().querySelector("input[type=checkbox]"); if (cb) { cb.checked = !cb.checked; } break;
      case "e": if (url) { post(url, { state: "resolved" }).then(refreshRows); } break;
      case "a": if (url) { post(url, { assignee: "me" }).then(refreshRows); } break;
      case "t": var ti = document.getElementById("tag-input"); if (ti) { ti.focus(); } break;
      case "r": var rt = document.getElementById("reply-text"); if (rt) { rt.focus(); } break;
      case "n": var nt = document.getElementById("note-text"); if (nt) { nt.focus(); } break;
      case "/": var q = document.querySelector("#filter-form input[name=q]"); if (q) { q.focus(); } break;
      case "?": document.getElementById("keys").showModal(); break;
      default: return;
    }
    ev.preventDefault();
  });

  var refreshing = null;
  function refreshRows() {
    if (refreshing) { return refreshing; }
    var selected = {}, cur = current();
    rowsBox.querySelectorAll("input[name=ids]:checked").forEach(function (c) { selected[c.value] = true; });
    var params = new URLSearchParams(new FormData(document.getElementById("filter-form")));
    refreshing = fetch(inbox.getAttribute("data-rows-url") + "?" + params.toString(), { headers: { "HX-Request": "true" } })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        rowsBox.innerHTML = html;
        htmx.process(rowsBox);
        rowsBox.querySelectorAll("input[name=ids]").forEach(function (c) { if (selected[c.value]) { c.checked = true; } });
        var id = cur ? cur.getAttribute("data-id") : openId();
        if (id) { var row = rowsBox.querySelector('li.row[data-id="' + id + '"]'); if (row) { row.classList.add("current"); } }
      })
      .finally(function () { refreshing = null; });
    return refreshing;
  }

  // Someone is writing in the open conversation (a reply, a note, a tag): a refresh would
  // throw away what they type, or take the cursor from the field they are about to type in.
  function writing() {
    var active = document.activeElement;
    if (active && panel.contains(active) && /^(TEXTAREA|INPUT)$/.test(active.tagName)) { return true; }
    return Array.prototype.some.call(panel.querySelectorAll("textarea"), function (t) { return t.value.trim() !== ""; });
  }
  var stale = false;
  function refreshPanel() {
    var conv = panel.querySelector(".conversation");
    if (!conv) { return; }
    if (writing()) { stale = true; live.textContent = "↻"; return; }
    htmx.ajax("GET", conv.getAttribute("data-presence").replace(/presence\/$/, "panel/"),
      { target: "#panel", swap: "innerHTML", headers: { "X-Resonanz-Refresh": "1" } });
  }
  // Checked again when the refresh arrives: they may have started typing while it loaded.
  document.body.addEventListener("htmx:beforeSwap", function (ev) {
    var headers = (ev.detail.requestConfig && ev.detail.requestConfig.headers) || {};
    if (ev.detail.target === panel && headers["X-Resonanz-Refresh"] && writing()) {
      ev.detail.shouldSwap = false;
      stale = true;
      live.textContent = "↻";
    }
  });
  // Done writing (the cursor left the panel, nothing left unsent): catch up with what changed.
  panel.addEventListener("focusout", function () {
    setTimeout(function () { if (stale && !writing()) { refreshPanel(); } }, 0);
  });

  // Realtime: every web process reads the same event table, so any process can serve this.
  var timer = null;
  if (window.EventSource) {
    var source = new EventSource(inbox.getAttribute("data-events-url") + "?after=" + inbox.getAttribute("data-last-event"));
    source.addEventListener("change", function (ev) {
      var data = JSON.parse(ev.data);
      clearTimeout(timer);
      timer = setTimeout(function () {
        refreshRows();
        if (data.conversation && String(data.conversation) === openId()) { refreshPanel(); }
      }, 100);
    });
  }

  // Presence: tell the others we are here (and typing), show who else is.
  var lastKey = 0;
  document.addEventListener("input", function (ev) { if (ev.target.id === "reply-text") { lastKey = Date.now(); pingPresence(); } });
  var lastPing = 0;
  function pingPresence() {
    var conv = panel.querySelector(".conversation");
    if (!conv || Date.now() - lastPing < 2000) { return; }
    lastPing = Date.now();
    var body = new URLSearchParams({ typing: Date.now() - lastKey < 6000 ? "1" : "0" });
    fetch(conv.getAttribute("data-presence"), { method: "POST", body: body, headers: { "X-CSRFToken": csrf } })
      .then(function (r) { return r.ok ? r.text() : ""; })
      .then(function (html) { var p = document.getElementById("presence"); if (p && html !== undefined) { p.innerHTML = html; } });
  }
  setInterval(pingPresence, 5000);
  // A fresh conversation panel: announce presence there, and it is no longer behind.
  document.body.addEventListener("htmx:afterSwap", function (ev) {
    if (ev.detail.target !== panel) { return; }
    lastPing = 0;
    pingPresence();
    stale = false;
    if (live.textContent === "↻") { live.textContent = ""; }
  });
  document.body.addEventListener("htmx:responseError", function (ev) {
    live.textContent = ev.detail.xhr.responseText.slice(0, 200);
  });
})();
