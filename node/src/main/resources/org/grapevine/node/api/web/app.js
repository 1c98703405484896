// Grapevine's web app: the little the server cannot do. It keeps pages live from the node's event
// stream (server-sent events on /v1/events), and gives the compose box its byte count and
// Ctrl+Enter. Every piece of HTML it inserts comes from the node's own fragment routes
// (/web/fragments/...), which escape whatever users wrote; nothing here builds markup from data.
'use strict';
(function () {
  const live = document.getElementById('live');

  function announce(text) {
    if (live) {
      live.textContent = text;
    }
  }

  // A fragment of the node's, parsed; null when the node says it does not belong here (204).
  async function fragment(url) {
    const r = await fetch(url, { credentials: 'same-origin' });
    if (r.status !== 200) {
      return null;
    }
    const t = document.createElement('template');
    t.innerHTML = await r.text();
    return t.content;
  }

  function onEntry(e) {
    const home = document.querySelector('[data-live="home"]');
    if (home && (e.kind === 'post' || e.kind === 'repost')) {
      fragment('/web/fragments/entry/' + e.id).then(function (f) {
        if (!f) {
          return;
        }
        const old = document.getElementById('e-' + e.id);
        if (old && old.parentElement === home) {
          old.replaceWith(f); // Sent again: its content arrived, or it was deleted.
        } else {
          home.prepend(f);
          announce('New post');
        }
        const empty = home.querySelector('.empty');
        if (empty) {
          empty.remove();
        }
      });
    }
    const thread = document.querySelector('[data-live="thread"]');
    const reply = e.kind === 'post' && e.content && e.content.reply_to;
    if (thread && reply && reply.root.entry === thread.dataset.root) {
      fragment('/web/fragments/thread/' + thread.dataset.root).then(function (f) {
        if (f) {
          thread.replaceChildren(f);
          announce('New reply');
        }
      });
    }
  }

  function onNotification(n) {
    const badge = document.getElementById('unread');
    if (badge) {
      const count = Number(badge.dataset.count || 0) + 1;
      badge.dataset.count = String(count);
      badge.textContent = count + ' unread';
    }
    const list = document.querySelector('[data-live="notifications"]');
    if (list) {
      fragment('/web/fragments/notification/' + n.entry.id).then(function (f) {
        if (f) {
          list.prepend(f);
          const empty = document.querySelector('main > .empty');
          if (empty) {
            empty.remove();
          }
          announce('New notification');
        }
      });
    }
  }

  // One event stream for all of the app's tabs: a browser keeps at most six connections to one
  // host over HTTP/1.1, so a stream per tab would stall the seventh page. The tab holding the Web
  // Lock "grapevine-events" reads the stream and passes each event to the others on a
  // BroadcastChannel; when it closes, another tab gets the lock and opens the stream. A page left
  // (pagehide, also into the back/forward cache) lets go of both.
  function dispatch(type, data) {
    if (type === 'entry') {
      onEntry(data);
    } else if (type === 'notification') {
      onNotification(data);
    }
  }

  function openStream(channel, onClose) {
    const events = new EventSource('/v1/events');
    ['entry', 'notification'].forEach(function (type) {
      events.addEventListener(type, function (ev) {
        const data = JSON.parse(ev.data);
        dispatch(type, data);
        if (channel) {
          channel.postMessage({ type: type, data: data });
        }
      });
    });
    events.addEventListener('open', function () {
      document.documentElement.dataset.live = 'open';
    });
    window.addEventListener('pagehide', function () {
      events.close();
      onClose();
    });
  }

  if (document.querySelector('nav') && window.EventSource) {
    document.documentElement.dataset.live = 'connecting';
    const channel = window.BroadcastChannel ? new BroadcastChannel('grapevine-events') : null;
    if (channel && navigator.locks) {
      channel.onmessage = function (m) {
        dispatch(m.data.type, m.data.data);
      };
      navigator.locks.query().then(function (state) {
        const held = state.held.some(function (l) {
          return l.name === 'grapevine-events';
        });
        if (held) {
          document.documentElement.dataset.live = 'open'; // Another tab reads for this one.
        }
      });
      navigator.locks.request('grapevine-events', function () {
        return new Promise(function (release) {
          openStream(channel, release);
        });
      });
    } else {
      openStream(null, function () {});
    }
    window.addEventListener('pageshow', function (ev) {
      if (ev.persisted) {
        window.location.reload(); // Back from the cache: what arrived meanwhile is not shown.
      }
    });
  }

  // Attaching a picture (a post's, or the avatar): the file goes to the node as soon as it is
  // chosen (POST /v1/media; the node strips its metadata and names it by its hash), the preview is
  // the stored file as the node serves it, and the form carries only its CID. Shown only here: a
  // form without this script cannot send a file.
  document.querySelectorAll('fieldset[data-attach]').forEach(function (set) {
    const name = set.dataset.attach;
    const field = set.querySelector('input[type="hidden"][name="' + name + '"]');
    const file = set.querySelector('input[type="file"]');
    const status = set.querySelector('.attach-status');
    const preview = set.querySelector('.attach-preview');
    const submit = set.form.querySelector('button[type="submit"]');
    set.hidden = false;
    file.addEventListener('change', async function () {
      field.value = '';
      preview.hidden = true;
      if (!file.files.length) {
        status.textContent = '';
        return;
      }
      status.textContent = 'Adding the picture…';
      submit.disabled = true;
      try {
        const r = await fetch('/v1/media', {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'Content-Type': 'application/octet-stream' },
          body: file.files[0]
        });
        const body = await r.json();
        if (r.status !== 201) {
          status.textContent = 'Not added: ' + (body.error ? body.error.message : 'HTTP ' + r.status);
          return;
        }
        field.value = body.cid;
        preview.src = '/media/' + encodeURIComponent(body.cid);
        preview.hidden = false;
        status.textContent =
          'Added (' + body.size + ' bytes' + (body.stripped ? ', metadata removed' : '') + ').';
        const text = set.form.querySelector('textarea[name="text"]');
        if (text) {
          text.required = false; // A picture may go without words.
        }
      } catch (e) {
        status.textContent = 'Not added: ' + e.message;
      } finally {
        submit.disabled = false;
      }
    });
  });

  // The compose box: bytes left (the node's limits are in UTF-8 bytes), Ctrl+Enter or Cmd+Enter.
  const encoder = new TextEncoder();
  document.querySelectorAll('textarea[data-max-bytes]').forEach(function (area) {
    const out = document.getElementById(area.id + '-count');
    const max = Number(area.dataset.maxBytes);
    area.addEventListener('input', function () {
      const left = max - encoder.encode(area.value).length;
      out.textContent = left + ' bytes left';
      area.setAttribute('aria-invalid', left < 0 ? 'true' : 'false');
    });
    area.addEventListener('keydown', function (ev) {
      if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) {
        ev.preventDefault();
        area.form.requestSubmit();
      }
    });
  });
})();
