(function () {
  'use strict';
  var url = document.body.getAttribute('data-events');
  if (!url || !window.EventSource) return;
  var live = document.getElementById('live');
  var announce = document.getElementById('announce');
  var previous = {};

  function text(id, value) {
    var el = document.getElementById(id);
    if (el && el.textContent !== value) el.textContent = value;
  }

  function rebuildToots(toots) {
    var list = document.getElementById('toots');
    if (!list) return;
    while (list.firstChild) list.removeChild(list.firstChild);
    if (toots.length === 0) {
      var empty = document.createElement('li');
      empty.textContent = 'Noch nichts veröffentlicht.';
      list.appendChild(empty);
      return;
    }
    toots.forEach(function (t) {
      var li = document.createElement('li');
      var label = t.url ? document.createElement('a') : document.createElement('span');
      if (t.url) label.href = t.url;
      label.textContent = t.label;
      var when = document.createElement('span');
      when.className = 'when-small';
      when.textContent = ' · ' + t.atLabel;
      li.appendChild(label);
      li.appendChild(when);
      list.appendChild(li);
    });
  }

  function apply(v) {
    var phase = document.getElementById('phase');
    if (phase) {
      phase.setAttribute('data-phase', v.phase);
      phase.textContent = v.phaseLabel;
    }
    text('phase-text', v.phaseText);
    var down = document.getElementById('unreachable');
    if (down) {
      down.hidden = !v.unreachable;
      text('unreachable', v.unreachable ? v.unreachable.label : '');
    }
    text('progress-label', v.progress.label);
    var bar = document.getElementById('progress-bar');
    if (bar) {
      bar.max = v.progress.total;
      bar.value = v.progress.done;
      bar.textContent = v.progress.label;
    }
    // The outcome changes the page's shape (actual end, duration): load it anew once.
    if (v.ended && !document.getElementById('ended')) {
      window.location.reload();
      return;
    }
    text('deadline', v.window.deadlineLabel);
    text('start-relative', '(' + v.window.startRelative + ')');
    text('expected-end-relative', '(' + v.window.expectedEndRelative + ')');
    text('updated', v.updatedLabel);
    var changes = [];
    v.tasks.forEach(function (t) {
      var row = document.getElementById('task-' + t.id);
      if (!row) return;
      row.setAttribute('data-status', t.status);
      var status = row.querySelector('[data-field="status"]');
      if (status) status.textContent = t.statusLabel;
      var changed = row.querySelector('[data-field="changed"]');
      if (changed) changed.textContent = t.changedLabel;
      var note = row.querySelector('[data-field="note"]');
      if (note) {
        note.textContent = t.note || '';
        note.hidden = !t.note;
      }
      var check = row.querySelector('[data-field="check"]');
      if (check) {
        var c = t.check;
        check.textContent = c ? c.label + (c.propagation ? '. ' + c.propagation + '.' : '') + (c.everyoneBy ? ' ' + c.everyoneBy : '') : '';
        check.hidden = !c;
      }
      if (previous[t.id] && previous[t.id] !== t.status) changes.push(t.title + ': ' + t.statusLabel);
      previous[t.id] = t.status;
    });
    rebuildToots(v.toots);
    v.faq.forEach(function (f) {
      var answer = document.querySelector('[data-faq="' + f.id + '"]');
      if (answer && answer.textContent !== f.answer) answer.textContent = f.answer;
    });
    if (announce && changes.length > 0) announce.textContent = changes.join('. ') + '.';
  }

  var source = new EventSource(url);
  source.addEventListener('state', function (event) {
    try {
      apply(JSON.parse(event.data));
    } catch (e) {
      /* a broken message: the next one brings the full state again */
    }
  });
  source.addEventListener('open', function () {
    if (live) live.textContent = 'Diese Seite aktualisiert sich von selbst.';
  });
  source.addEventListener('error', function () {
    if (!live) return;
    // CLOSED: the server turned us away (503 at its connection cap) and the
    // browser will not retry; the page works as it does without JavaScript.
    live.textContent = source.readyState === 2 ? 'Zum Aktualisieren die Seite neu laden.' : 'Verbindung unterbrochen, wird wiederhergestellt …';
  });
})();
