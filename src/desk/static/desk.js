// Live updates for "Waiting for you": the list is fetched again every 15 seconds, unless staff are using it (a
// button or link in it has the focus). The live region is replaced only when the list changed, so a screen reader
// announces news, not the same list every 15 seconds. When the session has ended the browser goes to the sign-in page
// (never into the list). Without this script the page works the same; it just needs a reload.
/* global document, window, DOMParser */
(function () {
  const list = document.getElementById('waiting-list');
  if (!list) return;
  let shown = null;
  setInterval(async function () {
    if (list.contains(document.activeElement)) return;
    try {
      const res = await fetch('/?fragment=1', { credentials: 'same-origin' });
      // Sent to the sign-in page, or refused: the whole page shows it, as a reload would.
      if (res.redirected) return window.location.assign(res.url);
      if (res.status === 401 || res.status === 403) return window.location.reload();
      if (!res.ok) return;
      const html = await res.text();
      if (shown === null) shown = normalised(list.innerHTML);
      if (normalised(html) === shown) return;
      list.innerHTML = html;
      shown = normalised(list.innerHTML);
    } catch {
      // offline for a moment: the next round tries again
    }
  }, 15000);

  /** The list as the browser would show it, so the server's markup and the live DOM compare alike. */
  function normalised(html) {
    const t = document.createElement('template');
    t.innerHTML = html;
    return t.innerHTML.replace(/\s+/g, ' ').trim();
  }
})();

// A batch's progress: the part of the page that says how far it got is fetched again every 2 seconds while the batch
// runs, and stops once it ended (no meta refresh: the page never reloads under staff).
(function () {
  const progress = document.getElementById('batch-progress');
  if (!progress || !progress.hasAttribute('data-running')) return;
  const timer = setInterval(async function () {
    try {
      const res = await fetch(window.location.pathname, { credentials: 'same-origin' });
      if (res.redirected) return window.location.assign(res.url);
      if (!res.ok) return;
      const page = new DOMParser().parseFromString(await res.text(), 'text/html');
      const fresh = page.getElementById('batch-progress');
      if (!fresh) return;
      if (fresh.innerHTML !== progress.innerHTML) progress.innerHTML = fresh.innerHTML;
      if (!fresh.hasAttribute('data-running')) {
        progress.removeAttribute('data-running');
        clearInterval(timer);
      }
    } catch {
      // offline for a moment: the next round tries again
    }
  }, 2000);
})();
