// Doorstep's service worker (board/pwa.py): static files from the cache, pages always from the network.
const CACHE = "doorstep-{{ version }}";
const OFFLINE = {{ offline|tojson }};
const FILES = {{ files|tojson }};
const STATIC = {{ static|tojson }};
const LIVE = {{ live|tojson }};

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => Promise.all([
    cache.addAll(FILES),
    // Without cookies: the offline page is the same for everyone and holds nothing personal.
    fetch(new Request(OFFLINE, {credentials: "omit"})).then((response) => cache.put(OFFLINE, response)),
  ])).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys().then((keys) => Promise.all(
    keys.filter((key) => key.startsWith("doorstep-") && key !== CACHE).map((key) => caches.delete(key))
  )).then(() => self.clients.claim()));
});

const storable = (response) => response.ok && !/no-store|private/.test(response.headers.get("Cache-Control") || "");

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin || url.pathname.startsWith(LIVE)) return;
  if (request.mode === "navigate") {
    // Never a stored page: the network, or the offline page when there is none.
    event.respondWith(fetch(request).catch(() => caches.match(OFFLINE)));
    return;
  }
  if (url.pathname.startsWith(STATIC)) {
    event.respondWith(caches.open(CACHE).then(async (cache) => {
      const hit = await cache.match(request);
      if (hit) return hit;
      const response = await fetch(request);
      if (storable(response)) cache.put(request, response.clone());
      return response;
    }));
  }
});
