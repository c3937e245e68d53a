// Live updates for "Waiting for you": the list is fetched again every 15 seconds, unless staff are using it (a
// button or link in it has the focus). Without this script the page works the same; it just needs a reload.
/* global document */
(function () {
  const list = document.getElementById('waiting-list');
  if (!list) return;
  setInterval(async function () {
    if (list.contains(document.activeElement)) return;
    try {
      const res = await fetch('/?fragment=1', { credentials: 'same-origin' });
      if (res.ok) list.innerHTML = await res.text();
    } catch {
      // offline for a moment: the next round tries again
    }
  }, 15000);
})();
