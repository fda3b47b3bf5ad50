/* Resonanz comment widget. No framework, no third parties.
 *
 * <div data-resonanz-thread="article-42" data-resonanz-key="CHANNEL_PUBLIC_KEY"></div>
 * <script src="https://resonanz.example/static/resonanz/widget.js" async></script>
 *
 * Visitor text arrives from the server already escaped and sanitised (body_html); every
 * other string is set with textContent, so nothing a visitor sends can run as script.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var base = script ? script.src.replace(/\/static\/resonanz\/widget\.js.*$/, "") : "";
  var lang = (document.documentElement.lang || navigator.language || "de").slice(0, 2);
  var T = {
    de: { comments: "Kommentare", none: "Noch keine Kommentare. Schreiben Sie den ersten!",
      name: "Name", email: "E-Mail (optional, wird nicht veröffentlicht)", text: "Ihr Kommentar",
      send: "Senden", feedback: "Privat an die Redaktion senden (nicht öffentlich)",
      team: "Team", pending: "Wartet auf Freigabe – nur Sie sehen diesen Kommentar.",
      thanks: "Danke! Ihr Kommentar ist veröffentlicht.", thanksPending: "Danke! Ihr Kommentar wird geprüft.",
      thanksFeedback: "Danke für Ihr Feedback! Es geht nur an das Team.", error: "Das hat nicht geklappt." },
    en: { comments: "Comments", none: "No comments yet. Be the first!",
      name: "Name", email: "Email (optional, never shown)", text: "Your comment",
      send: "Send", feedback: "Send privately to the team (not public)",
      team: "Team", pending: "Waiting for approval – only you can see this comment.",
      thanks: "Thank you! Your comment is published.", thanksPending: "Thank you! Your comment will be reviewed.",
      thanksFeedback: "Thank you for your feedback! Only the team will see it.", error: "That did not work." }
  };
  var t = T[lang] || T.en;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    for (var k in attrs || {}) { node.setAttribute(k, attrs[k]); }
    if (text != null) { node.textContent = text; }
    return node;
  }

  function visitorToken() {
    try {
      var v = localStorage.getItem("resonanz-visitor");
      if (!v) {
        var a = new Uint8Array(16); crypto.getRandomValues(a);
        v = Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
        localStorage.setItem("resonanz-visitor", v);
      }
      return v;
    } catch (e) { return ""; }
  }

  function when(iso) {
    try { return new Date(iso).toLocaleString(lang, { dateStyle: "medium", timeStyle: "short" }); }
    catch (e) { return iso; }
  }

  function comment(c, cls) {
    var li = el("li", { "class": "rz-comment " + (cls || "") + (c.team ? " rz-team" : ""), "data-id": String(c.id || c.ref || "") });
    var head = el("div", { "class": "rz-head" });
    head.appendChild(el("strong", { "class": "rz-author" }, c.author || ""));
    if (c.team) { head.appendChild(el("span", { "class": "rz-badge" }, t.team)); }
    head.appendChild(el("time", { datetime: c.created_at }, when(c.created_at)));
    li.appendChild(head);
    var body = el("div", { "class": "rz-body" });
    if (c.html != null) { body.innerHTML = c.html; } // server-rendered: escaped, links only, allow-list sanitised
    else { body.textContent = c.text; } // the visitor's own text before the server stored it
    li.appendChild(body);
    return li;
  }

  function Widget(root) {
    this.root = root;
    this.key = root.getAttribute("data-resonanz-key");
    this.thread = root.getAttribute("data-resonanz-thread") || location.origin + location.pathname;
    this.api = (root.getAttribute("data-resonanz-url") || base) + "/widget/v1/" + encodeURIComponent(this.key);
    this.visitor = visitorToken();
    this.local = [];
    this.load();
  }

  function json(r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); }

  // The listing is the same for every visitor (no custom header, so no CORS preflight, and
  // the browser revalidates it by ETag); only a visitor who has a comment waiting for
  // approval on this page also asks for their own pending comments.
  Widget.prototype.load = function () {
    var self = this, q = "?thread=" + encodeURIComponent(this.thread);
    var pending = this.hasPending()
      ? fetch(this.api + "/pending" + q, { headers: { "X-Resonanz-Visitor": this.visitor } })
        .then(json).then(function (d) { return d.pending; })
      : Promise.resolve([]);
    return Promise.all([fetch(this.api + "/thread" + q).then(json), pending]).then(function (res) {
      res[0].pending = res[1];
      self.render(res[0]);
      var waiting = self.local.some(function (c) { return c.pending; });
      if (!res[1].length && !waiting) { self.hasPending(false); }
    }).catch(function () {
      // A failed first load says so; a failed refresh keeps what is shown (and the form).
      if (!self.formEl) { self.root.textContent = t.error; }
    });
  };

  Widget.prototype.hasPending = function (value) {
    var k = "resonanz-pending:" + this.key + ":" + this.thread;
    try {
      if (value === undefined) { return localStorage.getItem(k) === "1"; }
      if (value) { localStorage.setItem(k, "1"); } else { localStorage.removeItem(k); }
    } catch (e) { /* storage blocked: pending comments just are not shown */ }
    return false;
  };

  Widget.prototype.render = function (data) {
    var root = this.root, self = this;
    var stored = {};
    data.comments.forEach(function (c) {
      stored[c.ref] = true;
      c.replies.forEach(function (r) { stored[r.ref] = true; });
    });
    data.pending.forEach(function (p) { stored[p.ref] = true; });
    // The visitor's own comments that the server has not stored yet (moments after posting).
    this.local = this.local.filter(function (c) { return !stored[c.ref]; });
    root.textContent = "";
    root.classList.add("rz-widget");
    root.appendChild(el("h3", {}, t.comments + " (" + data.comments.length + ")"));
    var list = el("ol", { "class": "rz-list" });
    data.comments.forEach(function (c) {
      var li = comment(c);
      if (c.replies.length) {
        var sub = el("ol", { "class": "rz-replies" });
        c.replies.forEach(function (r) { sub.appendChild(comment(r)); });
        li.appendChild(sub);
      }
      list.appendChild(li);
    });
    data.pending.concat(this.local.filter(function (c) { return c.pending; })).forEach(function (p) {
      var li = comment({ id: p.id, author: p.author || "", html: p.html, text: p.text, created_at: p.created_at }, "rz-pending");
      li.appendChild(el("p", { "class": "rz-note" }, t.pending));
      list.appendChild(li);
    });
    this.local.forEach(function (c) { if (!c.pending) { list.appendChild(comment(c, "rz-local")); } });
    // The form is built once: a refresh never takes what a visitor is typing.
    root.appendChild(this.formEl || (this.formEl = this.form(data)));
    if (!list.children.length) { root.appendChild(el("p", { "class": "rz-empty" }, t.none)); }
    root.appendChild(list);
  };

  // A posted comment is stored by the server's worker within moments; until then the
  // widget shows the author's own copy and looks again a few times.
  Widget.prototype.refresh = function (tries) {
    var self = this;
    if (!this.local.length || tries <= 0) { return; }
    setTimeout(function () { self.load().then(function () { self.refresh(tries - 1); }); }, 700);
  };

  Widget.prototype.form = function (data) {
    var self = this;
    var form = el("form", { "class": "rz-form", novalidate: "" });
    var status = el("p", { "class": "rz-status", role: "status", "aria-live": "polite" });
    function input(name, label, type, required) {
      var wrap = el("label", {}, label);
      var field = type === "textarea" ? el("textarea", { name: name, rows: "4", maxlength: String(data.max_length) })
        : el("input", { name: name, type: type, autocomplete: name === "email" ? "email" : "name" });
      if (required) { field.required = true; }
      wrap.appendChild(field); form.appendChild(wrap);
      return field;
    }
    var name = input("name", t.name, "text", true);
    input("email", t.email, "email", false);
    var text = input("text", t.text, "textarea", true);
    var honey = el("input", { name: "website", type: "text", tabindex: "-1", autocomplete: "off", "aria-hidden": "true",
      style: "position:absolute;left:-10000px;width:1px;height:1px;opacity:0" });
    form.appendChild(honey);
    var privateBox = el("label", { "class": "rz-private" });
    var check = el("input", { type: "checkbox", name: "private" });
    privateBox.appendChild(check); privateBox.appendChild(document.createTextNode(" " + t.feedback));
    form.appendChild(privateBox);
    var button = el("button", { type: "submit" }, t.send);
    form.appendChild(button); form.appendChild(status);
    // The form token is fetched when the visitor starts writing: the server refuses posts
    // that come sooner after it than a person could write.
    var token = null;
    function formToken() {
      if (!token) {
        token = fetch(self.api + "/form").then(json).then(function (d) { return d.form_token; });
        token.catch(function () { token = null; });
      }
      return token;
    }
    form.addEventListener("focusin", formToken);
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      button.disabled = true; status.textContent = "";
      var payload = {
        thread: self.thread, url: location.href, title: document.title,
        name: name.value, email: form.elements.email.value, text: text.value,
        website: honey.value, visitor: self.visitor,
        kind: check.checked ? "feedback" : "comment"
      };
      formToken().then(function (value) {
        payload.form_token = value;
        return fetch(self.api + "/comments?lang=" + lang, {
          method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(payload)
        });
      }).then(function (r) { return r.json().then(function (b) { return { ok: r.ok, body: b }; }); })
        .then(function (res) {
          button.disabled = false;
          if (!res.ok) { status.textContent = res.body.error || t.error; status.className = "rz-status rz-error"; return; }
          var st = res.body.status;
          status.className = "rz-status";
          status.textContent = st === "published" ? t.thanks : st === "pending" ? t.thanksPending : t.thanksFeedback;
          if (st === "pending") { self.hasPending(true); }
          if (st !== "received") {
            self.local.push({ ref: res.body.ref, author: payload.name, text: payload.text,
              pending: st === "pending", created_at: new Date().toISOString() });
          }
          text.value = "";
          self.load().then(function () { self.refresh(10); });
        }).catch(function () { button.disabled = false; status.textContent = t.error; });
    });
    return form;
  };

  function start() {
    var nodes = document.querySelectorAll("[data-resonanz-key]");
    for (var i = 0; i < nodes.length; i++) { if (!nodes[i].rzWidget) { nodes[i].rzWidget = new Widget(nodes[i]); } }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
