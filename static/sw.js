// Gõ Cửa's service worker, hand-written: it keeps the app shell for use without a connection
// and sends the outbox when Background Sync says the network is back.
//
// What it keeps: static files, and the pages whose answer carries X-Offline-Shell (the server
// decides: Today, the blank log form, the user's villages, the offline note). Nothing else
// (households, logs, exports) is ever stored by it; the households kept for searching offline
// live in IndexedDB (outbox.js) with the minimum fields, and go on sign-out.
importScripts("/static/js/outbox.js");

var SHELL = "gocua-shell-v1";
var SHELL_HEADER = "X-Offline-Shell";
var OFFLINE_PAGE = "/offline";

self.addEventListener("install", function () { self.skipWaiting(); });

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k.indexOf("gocua-") === 0 && k !== SHELL; })
      .map(function (k) { return caches["delete"](k); }));
  }).then(function () {
    return GocuaOutbox.forgetHouseholds(GocuaOutbox.UNUSED_DAYS);
  }).then(function () { return self.clients.claim(); }));
});

// A page is kept under its path alone: the shell pages are the ones without a query.
function pageKey(url) {
  var u = new URL(url);
  return u.origin + u.pathname;
}

function isShell(response) {
  return response.ok && response.headers.get(SHELL_HEADER) === "1";
}

async function page(event) {
  var request = event.request;
  try {
    var response = await fetch(request);
    if (isShell(response)) {
      var copy = response.clone();
      event.waitUntil(caches.open(SHELL).then(function (cache) { return cache.put(pageKey(request.url), copy); }));
    }
    return response;
  } catch (err) {
    var cache = await caches.open(SHELL);
    var kept = await cache.match(pageKey(request.url)) || await cache.match(new URL(OFFLINE_PAGE, self.location.origin).href);
    return kept || Response.error();
  }
}

// Static files named with their version (?v=) never change: the kept copy answers first.
async function asset(request) {
  var cache = await caches.open(SHELL);
  var versioned = new URL(request.url).searchParams.has("v");
  if (versioned) {
    var hit = await cache.match(request);
    if (hit) { return hit; }
  }
  try {
    var response = await fetch(request);
    if (response.ok) { await cache.put(request, response.clone()); }
    return response;
  } catch (err) {
    return await cache.match(request, { ignoreSearch: !versioned }) || Response.error();
  }
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) { return; }
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(asset(request));
  } else if (request.mode === "navigate") {
    event.respondWith(page(event));
  }
});

// A page asks for the shell to be kept once it is online: its own static files and the pages
// listed on its <body>. A page already kept is refreshed by the next visit instead, or now
// when the page says so (the language changed).
var generation = 0;  // a sign-out ("forget") stops a warm-up under way
var warming = Promise.resolve();

async function warm(urls, refresh, mine) {
  var cache = await caches.open(SHELL);
  for (var i = 0; i < urls.length && mine === generation; i++) {
    var u = new URL(urls[i], self.location.origin);
    if (u.origin !== self.location.origin) { continue; }
    var isStatic = u.pathname.indexOf("/static/") === 0;
    var key = isStatic ? u.href : pageKey(u.href);
    if ((!refresh || isStatic) && await cache.match(key)) { continue; }
    try {
      var response = await fetch(u.href, { credentials: "same-origin", redirect: "manual",
                                           headers: isStatic ? {} : { "X-Offline-Warm": "1" } });
      if (mine === generation && (isStatic ? response.ok : isShell(response))) { await cache.put(key, response); }
    } catch (err) {
      return;  // offline again: the next page load tries once more
    }
  }
}

// Older versions of the files the page names (a deploy changed them) are dropped.
async function pruneStatic(urls) {
  var current = {};
  urls.forEach(function (url) {
    var u = new URL(url, self.location.origin);
    if (u.pathname.indexOf("/static/") === 0) { current[u.pathname] = u.href; }
  });
  var cache = await caches.open(SHELL);
  var kept = await cache.keys();
  await Promise.all(kept.filter(function (request) {
    var u = new URL(request.url);
    return current[u.pathname] && current[u.pathname] !== u.href;
  }).map(function (request) { return cache["delete"](request); }));
}

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "warm" && Array.isArray(data.urls)) {
    var mine = generation;
    warming = warming.then(function () { return warm(data.urls, Boolean(data.refresh), mine); })
      .then(function () { return pruneStatic(data.urls); })["catch"](function () { return null; });
    event.waitUntil(warming);
  } else if (data.type === "forget") {
    // The page signs out once no fetch of ours is under way: an answer arriving after the
    // sign-out would write the old session cookie back.
    generation += 1;
    event.waitUntil(warming.then(function () { return caches["delete"](SHELL); }).then(function () {
      if (event.ports[0]) { event.ports[0].postMessage("forgotten"); }
    }));
  }
});

// Background Sync: an open page sends (it has the sign-in's token); with none open, the
// worker reads a token from Today and sends itself. Left entries make the browser retry.
async function syncOutbox() {
  await GocuaOutbox.forgetHouseholds(GocuaOutbox.UNUSED_DAYS);
  var windows = await self.clients.matchAll({ type: "window" });
  if (windows.length) {
    windows[0].postMessage({ type: "replay" });
    return;
  }
  var response = await fetch("/", { credentials: "same-origin", redirect: "manual" });
  if (!response.ok) { return; }
  var html = await response.text();
  var token = /"X-CSRFToken": "([^"]+)"/.exec(html);
  var user = /data-user="(\d+)"/.exec(html);
  if (!token || !user) { return; }
  var outcome = await GocuaOutbox.replay(Number(user[1]), token[1]);
  if (outcome && outcome.left) { throw new Error("the network went again; the browser retries later"); }
}

self.addEventListener("sync", function (event) {
  if (event.tag === GocuaOutbox.SYNC_TAG) { event.waitUntil(syncOutbox()); }
});
