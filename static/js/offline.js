// Working without a connection, for the field teams: the log form keeps what it cannot send
// in the outbox (outbox.js), Today shows what waits and what needs the volunteer, the
// households of their villages can be searched offline, and signing out warns first.
// Progressive enhancement: without this file the pages work online as before.
(function () {
  "use strict";
  var O = window.GocuaOutbox;
  var body = document.body;
  var SHELL_OWNER = "gocua-shell-user";
  var SHELL_LANG = "gocua-shell-lang";
  var REFRESH_MS = 15 * 60 * 1000;
  var SHOWN = 8;
  if (!O || !window.indexedDB || !body) { return; }
  var user = body.dataset.user ? Number(body.dataset.user) : null;
  var wordsEl = document.getElementById("offline-words");
  var words = wordsEl ? wordsEl.dataset : null;

  function token() {
    try { return JSON.parse(body.getAttribute("hx-headers"))["X-CSRFToken"] || ""; } catch (err) { return ""; }
  }

  function plural(one, other, n) {
    return (n === 1 ? one : other).replace("{n}", n.toLocaleString(document.documentElement.lang || "vi"));
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") { node.textContent = attrs[k]; } else { node.setAttribute(k, attrs[k]); }
    });
    (children || []).forEach(function (c) { if (c) { node.appendChild(c); } });
    return node;
  }

  function newUuid() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  // 'Nguyễn Văn Đức' -> 'nguyen van duc', as the server's search_key.
  function searchKey(text) {
    return (text || "").normalize("NFC").replace(/đ/g, "d").replace(/Đ/g, "D").normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "").replace(/\s+/g, " ").trim().toLowerCase();
  }

  // The worker answers once its own fetches are over (or after a few seconds, whatever happens).
  function workerForgets() {
    if (!("serviceWorker" in navigator)) { return Promise.resolve(); }
    return navigator.serviceWorker.getRegistration().then(function (reg) {
      var worker = reg && (reg.active || reg.waiting || reg.installing);
      if (!worker) { return null; }
      return new Promise(function (resolve) {
        var channel = new MessageChannel();
        channel.port1.onmessage = resolve;
        worker.postMessage({ type: "forget" }, [channel.port2]);
        setTimeout(resolve, 3000);
      });
    })["catch"](function () { return null; });
  }

  function forgetShell() {
    var worker = workerForgets();
    if (!window.caches) { return worker; }
    return worker.then(function () { return caches.keys(); }).then(function (keys) {
      return Promise.all(keys.filter(function (k) { return k.indexOf("gocua-") === 0; })
        .map(function (k) { return caches["delete"](k); }));
    });
  }

  function flash(text) {
    var main = document.getElementById("main");
    if (!main) { return; }
    var old = document.getElementById("outbox-flash");
    if (old) { old.remove(); }
    main.insertBefore(el("p", { id: "outbox-flash", "class": "flash", role: "status", text: text }), main.firstChild);
  }

  // ---- the log form ----

  function logForm() { return document.querySelector("#log-form[data-outbox]"); }

  function labelText(input) {
    var label = input && input.closest("label");
    var span = label && label.querySelector("span");
    if (!span) { return ""; }
    var first = span.firstChild;
    return (first && first.nodeType === 3 ? first.textContent : span.textContent).trim();
  }

  function summarize(form) {
    var village = form.querySelector("[name=village_id]");
    var mode = (form.querySelector("[name=mode]:checked") || {}).value || "existing";
    var who;
    if (mode === "new") {
      who = (form.querySelector("[name='new-display_name']") || {}).value + " (" + words.newHousehold + ")";
    } else if (mode === "group") {
      who = words.group;
    } else {
      who = labelText(form.querySelector("[name=household_id]:checked"));
    }
    var services = Array.prototype.map.call(form.querySelectorAll("[name=service_ids]:checked"), labelText);
    var day = ((form.querySelector("[name=helped_on]") || {}).value || "").split("-").reverse().join("/");
    return {
      village: village && village.selectedOptions[0] ? village.selectedOptions[0].textContent.trim() : "",
      who: who, services: services.join(", "), day: day,
    };
  }

  function showKept(form, entry) {
    var kept = el("section", { id: "log-form", "class": "saved kept", role: "status" }, [
      el("p", { "class": "saved-title", text: words.kept }),
      el("p", { "class": "muted", text: words.keptHint }),
      el("p", { "class": "kept-summary", text: [entry.summary.who, entry.summary.village].filter(Boolean).join(" · ") }),
      el("p", { "class": "muted", text: [entry.summary.services, entry.summary.day].filter(Boolean).join(" · ") }),
      el("div", { "class": "stack" }, [
        el("a", { "class": "button", href: body.dataset.logForm, text: words.logAnother }),
        el("a", { "class": "button-link", href: "/", text: words.today }),
      ]),
    ]);
    form.replaceWith(kept);
    var netError = document.getElementById("net-error");
    if (netError) { netError.hidden = true; }
    window.scrollTo(0, 0);
  }

  function askForSync() {
    if (!("serviceWorker" in navigator)) { return; }
    navigator.serviceWorker.ready.then(function (reg) {
      return reg.sync ? reg.sync.register(O.SYNC_TAG) : null;
    })["catch"](function () { return null; });
  }

  async function keepForm(form) {
    var uuidField = form.querySelector("[name=client_uuid]");
    if (!uuidField.value) { uuidField.value = newUuid(); }
    var fields = [];
    new FormData(form).forEach(function (value, name) {
      if (typeof value === "string" && name !== "csrf_token" && name !== "q") { fields.push([name, value]); }
    });
    var entry = { uuid: uuidField.value, user: user, action: form.getAttribute("action"), fields: fields,
                  summary: summarize(form) };
    try {
      await O.keep(entry);
    } catch (err) {
      var full = form.querySelector(".outbox-full") || el("p", { "class": "flash flash-error outbox-full", role: "alert" });
      full.textContent = words.full;
      form.insertBefore(full, form.firstChild);
      full.scrollIntoView({ block: "center" });
      return;
    }
    showKept(form, entry);
    askForSync();
  }

  // A log form loaded from the phone's copy carries the client_uuid of the day it was kept:
  // every form starts with its own, or two visits would be stored as one.
  function freshUuid() {
    var form = logForm();
    if (!form) { return; }
    var query = new URLSearchParams(location.search);
    var field = form.querySelector("[name=client_uuid]");
    if (!query.has("client_uuid")) {
      field.value = newUuid();
    } else if (field.value !== query.get("client_uuid")) {
      fillFromQuery(form, query);  // a parked entry reopened offline: the phone's copy of the blank form
    }
  }

  // What the server does with a query when online (the form's own prefill), done on the phone.
  function fillFromQuery(form, query) {
    var householdId = query.get("household_id");
    if (householdId && !form.querySelector("[name=household_id][value='" + CSS.escape(householdId) + "']")) {
      var box = document.getElementById("household-options");
      if (box) { box.appendChild(option(householdId, "…")); }
      O.households(user).then(function (record) {
        var found = record && record.households.filter(function (h) { return String(h.id) === householdId; })[0];
        var label = box && box.querySelector("[value='" + CSS.escape(householdId) + "']");
        if (found && label) { label.nextSibling.textContent = found.name; }
      });
    }
    Array.prototype.forEach.call(form.elements, function (input) {
      if (!input.name || input.name === "csrf_token") { return; }
      var values = query.getAll(input.name);
      if (input.type === "radio" || input.type === "checkbox") {
        input.checked = values.indexOf(input.value) >= 0;
      } else if (values.length && input.tagName !== "BUTTON") {
        input.value = values[0];
      }
    });
  }

  // "Log for this one" under a duplicate warning keeps what was typed (and the entry's
  // client_uuid, so a parked entry is done once that log is saved).
  function keepTypedOnDuplicateLinks() {
    var form = logForm();
    if (!form) { return; }
    form.querySelectorAll(".warning a[href*='household_id']").forEach(function (a) {
      var url = new URL(a.href);
      var typed = new URLSearchParams();
      new FormData(form).forEach(function (value, name) {
        if (typeof value === "string" && name !== "csrf_token" && name !== "q" && name !== "mode" &&
            name !== "household_id" && name.indexOf("new-") !== 0) { typed.append(name, value); }
      });
      typed.set("mode", "existing");
      typed.set("village_id", url.searchParams.get("village_id"));
      typed.set("household_id", url.searchParams.get("household_id"));
      a.href = url.pathname + "?" + typed.toString();
    });
  }

  var sending = null;  // the client_uuid of the log form being sent online

  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!words || !form.matches("#log-form[data-outbox]") || navigator.onLine) { return; }
    e.preventDefault();
    e.stopImmediatePropagation();
    if (e.submitter && e.submitter.getAttribute("formmethod") === "get") {
      searchOffline(form);
    } else {
      keepForm(form);
    }
  }, true);

  document.addEventListener("htmx:beforeRequest", function (e) {
    var config = e.detail.requestConfig || {};
    var form = logForm();
    if (form && e.detail.elt === form) { sending = form.querySelector("[name=client_uuid]").value; }
    if (navigator.onLine || !words || config.verb !== "get") { return; }
    // Offline, a GET cannot answer: the household search is served from the phone, the rest
    // (the soft overlap hint, the review count) waits for the network.
    e.preventDefault();
    if (form && (config.path || "").indexOf(householdsPath()) === 0) { searchOffline(form); }
  });

  document.addEventListener("htmx:sendError", function (e) {
    var form = logForm();
    var config = e.detail.requestConfig || {};
    if (!form || !words) { return; }
    if (e.detail.elt === form && config.verb === "post") {
      keepForm(form);
    } else if (config.verb === "get" && (config.path || "").indexOf(householdsPath()) === 0) {
      searchOffline(form);
    }
  });

  document.addEventListener("htmx:afterRequest", function (e) {
    var xhr = e.detail.xhr;
    var result = xhr && xhr.getResponseHeader("X-Log-Result");
    if (sending && (result === "saved" || result === "already")) {
      O.remove(sending).then(renderStatus);
      sending = null;
    }
  });

  document.addEventListener("htmx:afterSwap", keepTypedOnDuplicateLinks);

  // ---- offline household search ----

  function householdsPath() {
    var q = document.getElementById("q");
    return q ? new URL(q.getAttribute("hx-get"), location.href).pathname : "\u0000";
  }

  function option(value, text, sub) {
    var span = el("span", { text: text });
    if (sub) { span.appendChild(el("span", { "class": "sub", text: sub })); }
    return el("label", { "class": "option" + (value ? "" : " change-household") },
              [el("input", { type: "radio", name: "household_id", value: value }), span]);
  }

  async function searchOffline(form) {
    var box = document.getElementById("household-options");
    if (!box) { return; }
    var village = Number((form.querySelector("[name=village_id]") || {}).value);
    var q = searchKey((document.getElementById("q") || {}).value);
    var record = await O.households(user);
    var items = [el("p", { "class": "muted offline-note", text: words.searchOffline })];
    if (!record) {
      items.push(el("p", { "class": "muted", text: words.searchEmpty }));
    } else {
      O.touchHouseholds(record);
      var terms = q.split(" ").filter(Boolean).slice(0, 5);
      var found = record.households.filter(function (h) {
        return h.village_id === village && terms.every(function (t) { return h.key.indexOf(t) >= 0; });
      });
      if (found.length) {
        items.push(option("", words.chooseAnother));
        found.slice(0, SHOWN).forEach(function (h) { items.push(option(String(h.id), h.name, h.phone)); });
        if (found.length > SHOWN) {
          items.push(el("p", { "class": "muted", text: words.more.replace("{shown}", SHOWN).replace("{total}", found.length) }));
        }
      } else if (q) {
        items.push(el("p", { "class": "muted", text: words.searchNone }));
      }
    }
    box.replaceChildren.apply(box, items);
  }

  async function refreshHouseholds() {
    var url = body.dataset.households;
    if (!url || !navigator.onLine) { return; }
    var record = await O.households(user);
    if (record && Date.now() - record.fetched_at < REFRESH_MS) { return; }
    try {
      var response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (response.ok) { await O.keepHouseholds(user, await response.json(), Date.now()); }
    } catch (err) {
      return;  // the next page load online tries again
    }
  }

  // ---- Today: what waits, and what needs the volunteer ----

  function reopenUrl(entry) {
    var query = new URLSearchParams();
    entry.fields.forEach(function (f) { query.append(f[0], f[1]); });
    return body.dataset.logForm + "?" + query.toString();
  }

  function reasonText(entry) {
    if (entry.reason === "signin") { return words.signinNeeded; }
    if (entry.reason === "duplicate") { return words.duplicate; }
    if (entry.reason === "damaged") { return words.damaged; }
    return entry.message || words.refused;
  }

  function parkedItem(entry) {
    var summary = entry.summary || {};
    var remove = el("button", { type: "button", "class": "button-link danger", text: words["delete"] });
    remove.addEventListener("click", function () {
      if (window.confirm(words.deleteConfirm)) { O.remove(entry.uuid).then(renderStatus); }
    });
    var actions = [remove];
    if (entry.reason === "signin") {
      // Any page asks to sign in again when the session has gone; signed in, it is sent.
      actions.unshift(el("a", { "class": "button", href: "/", text: words.signinAction }));
    } else if (entry.reason !== "damaged" && Array.isArray(entry.fields)) {
      actions.unshift(el("a", { "class": "button", href: reopenUrl(entry), text: words.open }));
    }
    return el("li", { "class": "parked-entry" }, [
      el("p", {}, [el("strong", { text: [summary.who, summary.village].filter(Boolean).join(" · ") })]),
      el("p", { "class": "muted", text: [summary.services, summary.day].filter(Boolean).join(" · ") }),
      el("p", { "class": "field-error", text: reasonText(entry) }),
      el("div", { "class": "parked-actions" }, actions),
    ]);
  }

  async function renderStatus() {
    var box = document.getElementById("outbox");
    if (!box || !words) { return; }
    var all = await O.entries(user);
    var waiting = all.filter(function (e) { return e.state === "waiting"; });
    var parked = all.filter(function (e) { return e.state !== "waiting"; });
    var items = [];
    if (waiting.length) {
      var line = el("div", { "class": "outbox-waiting" }, [
        el("p", {}, [el("strong", { id: "outbox-count", text: plural(words.waitingOne, words.waitingOther, waiting.length) })]),
      ]);
      if (navigator.onLine) {
        var send = el("button", { type: "button", "class": "button secondary", text: words.sendNow });
        send.addEventListener("click", sendWaiting);
        line.appendChild(send);
      } else {
        line.appendChild(el("p", { "class": "muted", text: words.offline }));
      }
      items.push(line);
    }
    if (parked.length) {
      items.push(el("h2", { id: "parked-title", text: words.parked + " (" + parked.length + ")" }));
      items.push(el("ul", { "class": "list parked", id: "parked-logs" }, parked.map(parkedItem)));
    }
    box.replaceChildren.apply(box, items);
    box.hidden = !items.length;
  }

  async function sendWaiting() {
    if (!navigator.onLine || !user) { return; }
    var outcome = await O.replay(user, token());
    if (outcome && outcome.sent) { flash(plural(words.sentOne, words.sentOther, outcome.sent)); }
    await renderStatus();
  }

  // ---- signing out ----

  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.hasAttribute("data-signout") || form.dataset.confirmed) { return; }
    e.preventDefault();
    var go = function () {
      form.dataset.confirmed = "1";
      form.submit();
    };
    O.entries(user).then(function (list) {
      if (list.length && words && !window.confirm(plural(words.signoutOne, words.signoutOther, list.length))) { return; }
      localStorage.removeItem(SHELL_OWNER);
      return Promise.all([O.forgetHouseholds(), forgetShell()]).then(go, go);
    }, go);
  }, true);

  // ---- on every page ----

  async function start() {
    if (!user) { return; }
    await O.forgetHouseholds(O.UNUSED_DAYS);
    if (!words) { return; }
    if (localStorage.getItem(SHELL_OWNER) !== String(user)) {
      // Another account used this phone before: its pages and households go.
      await forgetShell();
      await O.forgetHouseholds();
      localStorage.setItem(SHELL_OWNER, String(user));
    }
    freshUuid();
    keepTypedOnDuplicateLinks();
    registerWorker();
    await renderStatus();
    if (navigator.onLine) {
      await O.unparkSignin(user);
      await sendWaiting();
      await refreshHouseholds();
    }
  }

  function registerWorker() {
    if (!("serviceWorker" in navigator) || !body.dataset.sw) { return; }
    navigator.serviceWorker.addEventListener("message", function (e) {
      if (e.data && e.data.type === "replay") { sendWaiting(); }
    });
    navigator.serviceWorker.register(body.dataset.sw, { scope: "/" }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (reg) {
      if (!navigator.onLine || !reg.active) { return; }
      var assets = Array.prototype.map.call(
        document.querySelectorAll("script[src], link[rel=stylesheet], link[rel=icon]"),
        function (node) { return node.src || node.href; });
      // Pages kept in another language are fetched again in this one.
      var lang = document.documentElement.lang;
      var refresh = localStorage.getItem(SHELL_LANG) !== lang;
      localStorage.setItem(SHELL_LANG, lang);
      reg.active.postMessage({ type: "warm", refresh: refresh,
                               urls: assets.concat((body.dataset.offlinePages || "").split(" ")) });
    })["catch"](function () { return null; });
  }

  window.addEventListener("online", sendWaiting);
  window.addEventListener("offline", renderStatus);
  start()["catch"](function () { return null; });
})();
