// On the home screen: register the service worker (board/pwa.py) where the browser has one.
if ("serviceWorker" in navigator) {
  const meta = document.querySelector('meta[name="doorstep-sw"]');
  if (meta) navigator.serviceWorker.register(meta.content, {scope: "/"}).catch(() => {});
}
