// The live inbox. Without this script the inbox works as it is (reload to see changes); with it, a referral
// event of the person's agency (server-sent events, /inbox/events) makes the page fetch its own list again,
// as the person, and announce the change in the aria-live region. No inline code: the CSP allows none.
(function () {
  'use strict';
  var region = document.getElementById('inbox-region');
  var live = document.getElementById('live');
  if (!region || !live || !window.EventSource || !window.fetch || !window.DOMParser) {
    return;
  }
  var waiting = null;

  function refresh() {
    waiting = null;
    fetch(window.location.href, { credentials: 'same-origin', headers: { Accept: 'text/html' } })
      .then(function (response) {
        if (!response.ok || response.redirected) {
          throw new Error('not the inbox');
        }
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, 'text/html').getElementById('inbox-region');
        if (fresh) {
          region.replaceChildren.apply(region, Array.prototype.slice.call(fresh.childNodes));
          live.textContent = live.getAttribute('data-message');
        }
      })
      .catch(function () { /* the next event, or a reload, tries again */ });
  }

  var source = new EventSource('/inbox/events');
  source.addEventListener('referral', function () {
    if (waiting === null) {
      waiting = window.setTimeout(refresh, 100); // several events at once: one fetch
    }
  });
}());
