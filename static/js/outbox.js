// The outbox: log-form submissions kept on the phone (IndexedDB) until the server has them.
// Shared by the pages (offline.js) and the service worker (sw.js, for Background Sync).
// Replaying is safe: the server stores one log per client_uuid, and answers a log it already
// has as "already" (X-Log-Result), which counts as sent.
(function (root) {
  "use strict";
  var DB_NAME = "gocua";
  var DB_VERSION = 1;
  var LOCK = "gocua-outbox";
  var DAY = 24 * 3600 * 1000;
  var UNUSED_DAYS = 30;
  var running = false;  // without the Web Locks API: one replay at a time in this context

  function request(r) {
    return new Promise(function (resolve, reject) {
      r.onsuccess = function () { resolve(r.result); };
      r.onerror = function () { reject(r.error); };
    });
  }

  function open() {
    var r = indexedDB.open(DB_NAME, DB_VERSION);
    r.onupgradeneeded = function () {
      var db = r.result;
      if (!db.objectStoreNames.contains("outbox")) { db.createObjectStore("outbox", { keyPath: "uuid" }); }
      if (!db.objectStoreNames.contains("households")) { db.createObjectStore("households", { keyPath: "user" }); }
    };
    return request(r);
  }

  async function store(name, mode, work) {
    var db = await open();
    try {
      var tx = db.transaction(name, mode);
      var done = new Promise(function (resolve, reject) {
        tx.oncomplete = resolve;
        tx.onerror = function () { reject(tx.error); };
        tx.onabort = function () { reject(tx.error || new DOMException("aborted", "AbortError")); };
      });
      var result = await work(tx.objectStore(name));
      await done;
      return result;
    } finally {
      db.close();
    }
  }

  function entries(user) {
    return store("outbox", "readonly", function (s) { return request(s.getAll()); }).then(function (all) {
      return all.filter(function (e) { return user === undefined || e.user === user; })
        .sort(function (a, b) { return a.seq - b.seq; });
    });
  }

  function get(uuid) {
    return store("outbox", "readonly", function (s) { return request(s.get(uuid)); });
  }

  // A new entry, or the same client_uuid saved again (fixed after parking): it keeps its place.
  async function keep(entry) {
    var before = await get(entry.uuid);
    entry.seq = before ? before.seq : Date.now() * 1000 + Math.floor(Math.random() * 1000);
    entry.created_at = before ? before.created_at : new Date().toISOString();
    entry.state = "waiting";
    delete entry.reason;
    delete entry.message;
    await store("outbox", "readwrite", function (s) { return request(s.put(entry)); });
    return entry;
  }

  function remove(uuid) {
    return store("outbox", "readwrite", function (s) { return request(s["delete"](uuid)); });
  }

  function put(entry) {
    return store("outbox", "readwrite", function (s) { return request(s.put(entry)); });
  }

  // What a refused answer says, for the volunteer: the form's first error, as text.
  function firstError(html) {
    var found = /class="(?:field-error|errors)"[^>]*>([\s\S]*?)<\/(?:p|ul)>/.exec(html || "");
    if (!found) { return ""; }
    return found[1].replace(/<[^>]*>/g, " ").replace(/&#39;/g, "'").replace(/&quot;/g, '"')
      .replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&").replace(/\s+/g, " ").trim();
  }

  function damaged(entry) {
    return !entry || typeof entry.uuid !== "string" || typeof entry.action !== "string" ||
      !Array.isArray(entry.fields) || entry.fields.some(function (f) {
        return !Array.isArray(f) || f.length !== 2 || typeof f[0] !== "string" || typeof f[1] !== "string";
      });
  }

  // One entry to the server: "sent", "park" (with a reason), or "later" (no network, server down).
  async function send(entry, token) {
    if (damaged(entry) || entry.action.charAt(0) !== "/") { return { kind: "park", reason: "damaged" }; }
    var body = new URLSearchParams();
    entry.fields.forEach(function (f) { if (f[0] !== "csrf_token") { body.append(f[0], f[1]); } });
    body.append("csrf_token", token || "");
    var response;
    try {
      response = await fetch(entry.action, {
        method: "POST", body: body, credentials: "same-origin", redirect: "manual", cache: "no-store",
        headers: { "HX-Request": "true", "X-CSRFToken": token || "" },
      });
    } catch (err) {
      return { kind: "later" };
    }
    var result = response.headers.get("X-Log-Result");
    if (response.type === "opaqueredirect" || response.status === 401 ||
        response.headers.get("X-CSRF-Refused")) {
      return { kind: "park", reason: "signin" };
    }
    if (response.ok && (result === "saved" || result === "already")) { return { kind: "sent" }; }
    if (response.ok && result === "duplicates") { return { kind: "park", reason: "duplicate" }; }
    if (response.status >= 500 || response.status === 429 || response.status === 408 || response.status === 0) {
      return { kind: "later" };
    }
    var text = "";
    try { text = await response.text(); } catch (err) { text = ""; }
    return { kind: "park", reason: "refused", message: firstError(text), status: response.status };
  }

  // Send the user's waiting entries in the order they were taken. Stops at the first answer
  // that says "later" (the network went again); an expired sign-in parks the entry and stops,
  // since every other entry would meet the same answer.
  async function replayNow(user, token) {
    var outcome = { sent: 0, parked: 0, left: 0 };
    var waiting = (await entries(user)).filter(function (e) { return e.state === "waiting"; });
    for (var i = 0; i < waiting.length; i++) {
      var entry = waiting[i];
      var answer = await send(entry, token);
      if (answer.kind === "sent") {
        await remove(entry.uuid);
        outcome.sent += 1;
        continue;
      }
      if (answer.kind === "later") { outcome.left = waiting.length - i; break; }
      entry.state = "parked";
      entry.reason = answer.reason;
      entry.message = answer.message || "";
      entry.parked_at = new Date().toISOString();
      await put(entry);
      outcome.parked += 1;
      if (answer.reason === "signin") { outcome.left = waiting.length - i - 1; break; }
    }
    return outcome;
  }

  // Two tabs (or a tab and the worker) never replay at once: the second waits for the first
  // and then finds only what is still waiting.
  function replay(user, token) {
    if (root.navigator && root.navigator.locks) {
      return root.navigator.locks.request(LOCK, function () { return replayNow(user, token); });
    }
    if (running) { return Promise.resolve(null); }
    running = true;
    return replayNow(user, token).finally(function () { running = false; });
  }

  // Entries parked because the sign-in had expired go back in the queue once signed in.
  async function unparkSignin(user) {
    var parked = (await entries(user)).filter(function (e) { return e.state === "parked" && e.reason === "signin"; });
    for (var i = 0; i < parked.length; i++) {
      parked[i].state = "waiting";
      delete parked[i].reason;
      await put(parked[i]);
    }
    return parked.length;
  }

  // The households kept for searching offline: one record per user.
  function households(user) {
    return store("households", "readonly", function (s) { return request(s.get(user)); });
  }

  function keepHouseholds(user, data, fetchedAt) {
    return store("households", "readwrite", function (s) {
      return request(s.put({ user: user, fetched_at: fetchedAt, used_at: fetchedAt, villages: data.villages,
                             households: data.households }));
    });
  }

  function touchHouseholds(record) {
    record.used_at = Date.now();
    return store("households", "readwrite", function (s) { return request(s.put(record)); });
  }

  // Deleted on sign-out (every user's: the phone may be shared) and after 30 days unused.
  function forgetHouseholds(olderThanDays) {
    var limit = Date.now() - (olderThanDays === undefined ? -1 : olderThanDays) * DAY;
    return store("households", "readwrite", function (s) {
      return request(s.getAll()).then(function (all) {
        all.forEach(function (r) { if (olderThanDays === undefined || !(r.used_at > limit)) { s["delete"](r.user); } });
      });
    });
  }

  root.GocuaOutbox = {
    entries: entries, get: get, keep: keep, remove: remove, put: put, replay: replay, send: send,
    unparkSignin: unparkSignin, firstError: firstError, households: households, keepHouseholds: keepHouseholds,
    touchHouseholds: touchHouseholds, forgetHouseholds: forgetHouseholds, UNUSED_DAYS: UNUSED_DAYS,
    SYNC_TAG: "gocua-outbox",
  };
})(self);
