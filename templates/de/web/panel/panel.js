(function () {
  'use strict';
  // Progressive enhancement: without JavaScript the forms post and the page reloads.
  var url = document.body.getAttribute('data-events');
  var live = document.getElementById('live');
  var flash = document.getElementById('flash');
  var deferred = {};

  function say(text, kind) {
    if (!flash) return;
    flash.hidden = false;
    flash.className = 'flash' + (kind === 'error' ? ' error' : '');
    flash.textContent = text;
  }

  // A section being typed in is replaced only once the focus leaves it.
  function busy(section) {
    var el = document.activeElement;
    return !!el && section.contains(el) && el.tagName === 'INPUT' && el.value !== '';
  }

  function place(name, html) {
    var section = document.querySelector('[data-section="' + name + '"]');
    if (!section || section.getAttribute('data-html') === html) return;
    if (busy(section)) {
      deferred[name] = html;
      return;
    }
    delete deferred[name];
    section.innerHTML = html;
    section.setAttribute('data-html', html);
  }

  document.addEventListener('focusout', function () {
    setTimeout(function () {
      Object.keys(deferred).forEach(function (name) { place(name, deferred[name]); });
    }, 0);
  });

  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute('data-live') || !window.fetch) return;
    event.preventDefault();
    var body = new URLSearchParams(new FormData(form));
    if (event.submitter && event.submitter.name) body.set(event.submitter.name, event.submitter.value);
    var buttons = form.querySelectorAll('button');
    buttons.forEach(function (b) { b.disabled = true; });
    fetch(form.action, { method: 'POST', body: body, headers: { Accept: 'application/json' }, credentials: 'same-origin' })
      .then(function (res) { return res.json().then(function (data) { return { ok: res.ok, data: data }; }); })
      .then(function (r) {
        say(r.ok ? r.data.message : r.data.error, r.ok ? 'ok' : 'error');
        if (r.ok) form.reset();
      })
      .catch(function () { say('Keine Verbindung zu Herold. Bitte noch einmal tippen.', 'error'); })
      .then(function () { buttons.forEach(function (b) { b.disabled = false; }); });
  });

  if (!url || !window.EventSource) return;
  var source = new EventSource(url);
  source.addEventListener('state', function (event) {
    var view = JSON.parse(event.data);
    Object.keys(view.sections).forEach(function (name) { place(name, view.sections[name]); });
    if (live) live.textContent = 'Aktualisiert sich von selbst.';
  });
  source.addEventListener('error', function () {
    if (live) live.textContent = 'Verbindung unterbrochen, verbinde neu …';
  });
})();
