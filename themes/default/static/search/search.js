/*
 * normbok search UI (SPEC §7). Plain ES2017, no modules, no build step; works from file://.
 *
 * DOM CONTRACT (emitted by the theme templates)
 * ---------------------------------------------
 * <body data-root="../../" data-version="2025.2" data-lang="nb">
 *   data-root     relative path from the page to the site root ("" or ending in "/")
 *   data-version  version id of the page ([A-Za-z0-9._-]+): which index to search
 *   data-lang     nb | nn | en: UI strings
 *
 * On every page:
 * <form class="nb-search" role="search" action="{root}{version}/search.html">
 *   <label for="nb-q">…</label>
 *   <input type="search" id="nb-q" name="q" autocomplete="off">
 *   <div id="nb-search-results" aria-live="polite"></div>
 * </form>
 *
 * On {version}/search.html in addition:
 * <div id="nb-search-page"
 *      data-groups='[{"id":"leverandor","label":"Leverandører"},…]'
 *      data-obligations='[{"id":"skal","label":"Skal"},…]'>   (data-obligations optional)
 * </div>
 * State of the search page lives in the URL fragment: #q=<query>&g=<group>,<group>
 * (a ?q= query string, as sent by the form without JavaScript, is read too).
 *
 * Include with <script src="{root}static/search/search.js" defer></script>. The script
 * adds {root}static/search/search.css if no stylesheet with that name is linked yet.
 *
 * LOADING (lazily: first focus or input in the box, or at once on the search page)
 *   <script src="{root}static/search/engine.js">    sets normbokSearch.wasm (base64) and
 *                                                   normbokSearch.engineFormat
 *   <script src="{root}{version}/search/index.js">  sets normbokSearch.bundles[version] =
 *                                                   {format: N, data: "<base64>"}
 * Never fetch()/XHR: those fail on file://. Then WebAssembly.instantiate + load_index.
 *
 * JS GLOBALS (window.normbokSearch)
 *   .wasm, .engineFormat, .bundles     set by the generated scripts above
 *   .query(q, opts) -> Promise<response>
 *        opts: {version, root, groups: [], obligations: [], kinds: [], limit}
 *        response: exactly the JSON of `normbok search --format json`
 *        {query, version, total, hits: [{id, kind, title, url, score, excerpt, obligation,
 *         target_groups, version, highlights, title_highlights}]}
 *        Rejects with an Error whose .code is "incompatible-format", "load-failed",
 *        "engine-failed" or an engine error code.
 *   .load(opts) -> Promise<{version, language, format, num_docs}>
 *   .strings(lang) -> the UI strings
 * Highlights are [start, end) ranges in Unicode code points (use Array.from(text)).
 *
 * Results are rendered with createElement/textContent only (never innerHTML).
 */
(function (global) {
  'use strict';

  var NS = global.normbokSearch = global.normbokSearch || {};
  var HAS_DOM = typeof document !== 'undefined';

  var STRINGS = {
    nb: {
      loading: 'Laster søket …',
      prompt: 'Skriv inn søkeord.',
      none: 'Ingen treff for «{q}».',
      one: '1 treff',
      many: '{n} treff',
      showing: 'Viser {shown} av {n} treff',
      all: 'Vis alle {n} treff',
      incompatible: 'Søkeindeksen er fra en annen versjon av normbok og kan ikke brukes. Bygg nettstedet på nytt.',
      failed: 'Søket kunne ikke lastes ({detail}).',
      groups: 'Målgrupper',
      version: 'Versjon',
      suggest: 'Mente du',
      unknownGroup: 'Ukjent målgruppe i lenken blir ignorert: {g}.',
      kinds: { requirement: 'Krav', page: 'Side', reference: 'Referanse' }
    },
    nn: {
      loading: 'Lastar søket …',
      prompt: 'Skriv inn søkjeord.',
      none: 'Ingen treff for «{q}».',
      one: '1 treff',
      many: '{n} treff',
      showing: 'Viser {shown} av {n} treff',
      all: 'Vis alle {n} treff',
      incompatible: 'Søkjeindeksen er frå ein annan versjon av normbok og kan ikkje brukast. Byggj nettstaden på nytt.',
      failed: 'Søket kunne ikkje lastast ({detail}).',
      groups: 'Målgrupper',
      version: 'Versjon',
      suggest: 'Meinte du',
      unknownGroup: 'Ukjend målgruppe i lenkja vert ignorert: {g}.',
      kinds: { requirement: 'Krav', page: 'Side', reference: 'Referanse' }
    },
    en: {
      loading: 'Loading search …',
      prompt: 'Type to search.',
      none: 'No results for “{q}”.',
      one: '1 result',
      many: '{n} results',
      showing: 'Showing {shown} of {n} results',
      all: 'Show all {n} results',
      incompatible: 'The search index is from a different version of normbok and cannot be used. Rebuild the site.',
      failed: 'Search could not be loaded ({detail}).',
      groups: 'Target groups',
      version: 'Version',
      suggest: 'Did you mean',
      unknownGroup: 'Unknown target group in the link is ignored: {g}.',
      kinds: { requirement: 'Requirement', page: 'Page', reference: 'Reference' }
    }
  };

  function strings(lang) {
    return STRINGS[lang] || STRINGS.nb;
  }
  NS.strings = strings;

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (m, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : m;
    });
  }

  function fail(code, message) {
    var error = new Error(message || code);
    error.code = code;
    return error;
  }

  // ---------------------------------------------------------------- page settings

  function bodyData(name, fallback) {
    if (!HAS_DOM || !document.body) return fallback;
    var value = document.body.getAttribute('data-' + name);
    return value === null ? fallback : value;
  }

  function settings(opts) {
    opts = opts || {};
    return {
      root: opts.root !== undefined ? opts.root : bodyData('root', ''),
      version: opts.version !== undefined ? opts.version : bodyData('version', ''),
      lang: opts.lang !== undefined ? opts.lang : bodyData('lang', 'nb')
    };
  }

  // ---------------------------------------------------------------- engine

  var scriptPromises = {};
  var enginePromise = null;
  var indexPromises = {};

  function loadScript(src) {
    if (scriptPromises[src]) return scriptPromises[src];
    scriptPromises[src] = new Promise(function (resolve, reject) {
      if (!HAS_DOM) {
        reject(fail('load-failed', 'cannot load ' + src + ' without a document'));
        return;
      }
      var script = document.createElement('script');
      script.src = src;
      script.async = true;
      script.onload = function () { resolve(); };
      script.onerror = function () {
        delete scriptPromises[src];
        reject(fail('load-failed', src));
      };
      document.head.appendChild(script);
    });
    return scriptPromises[src];
  }

  function base64ToBytes(b64) {
    var binary = global.atob(b64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  }

  var encoder = new TextEncoder();
  var decoder = new TextDecoder('utf-8');

  function Engine(instance) {
    this.exports = instance.exports;
  }

  Engine.prototype.call = function (name, bytes) {
    try {
      return this.callUnchecked(name, bytes);
    } catch (error) {
      if (error && error.code) throw error;
      // A trap (a Rust panic, logged through host_log) leaves the module unusable: start
      // over with a fresh instance on the next request.
      enginePromise = null;
      indexPromises = {};
      throw fail('engine-failed', String(error && error.message || error));
    }
  };

  Engine.prototype.callUnchecked = function (name, bytes) {
    var ex = this.exports;
    var ptr = ex.alloc(bytes.length);
    // alloc may grow memory: take the view afterwards.
    new Uint8Array(ex.memory.buffer, ptr, bytes.length).set(bytes);
    var status = ex[name](ptr, bytes.length);
    var out = new Uint8Array(ex.memory.buffer, ex.result_ptr(), ex.result_len());
    var json = JSON.parse(decoder.decode(out));
    if (status !== 0) {
      var err = (json && json.error) || {};
      var error = fail(err.code || 'engine-failed', err.message);
      error.detail = err;
      throw error;
    }
    return json;
  };

  function engine(root) {
    if (enginePromise) return enginePromise;
    var ready = NS.wasm ? Promise.resolve() : loadScript(root + 'static/search/engine.js');
    enginePromise = ready.then(function () {
      if (!NS.wasm) throw fail('load-failed', 'engine.js did not define the search engine');
      var bytes = base64ToBytes(NS.wasm);
      var memory = null;
      var imports = {
        env: {
          host_log: function (ptr, len) {
            if (!memory) return;
            var text = decoder.decode(new Uint8Array(memory.buffer, ptr, len));
            if (global.console) global.console.error(text);
          }
        }
      };
      return WebAssembly.instantiate(bytes, imports).then(function (result) {
        memory = result.instance.exports.memory;
        return new Engine(result.instance);
      });
    }).catch(function (error) {
      enginePromise = null;
      if (!error.code) error = fail('engine-failed', String(error && error.message || error));
      throw error;
    });
    return enginePromise;
  }

  function loadIndex(opts) {
    var s = settings(opts);
    var version = s.version;
    if (indexPromises[version]) return indexPromises[version];
    indexPromises[version] = engine(s.root).then(function (eng) {
      var have = NS.bundles && NS.bundles[version];
      var ready = have ? Promise.resolve() : loadScript(s.root + version + '/search/index.js');
      return ready.then(function () {
        var bundle = NS.bundles && NS.bundles[version];
        if (!bundle) throw fail('load-failed', 'no search index for version ' + version);
        var expected = eng.exports.format_version();
        if (bundle.format !== expected) {
          var e = fail('incompatible-format',
            'index format ' + bundle.format + ', engine format ' + expected);
          e.detail = { found: bundle.format, expected: expected };
          throw e;
        }
        var info = eng.call('load_index', base64ToBytes(bundle.data));
        return { engine: eng, info: info };
      });
    }).catch(function (error) {
      delete indexPromises[version];
      throw error;
    });
    return indexPromises[version];
  }

  /** Loads engine and index; resolves to {version, language, format, num_docs}. */
  NS.load = function (opts) {
    return loadIndex(opts).then(function (loaded) { return loaded.info; });
  };

  /** Runs a query; resolves to the same JSON as `normbok search --format json`. */
  NS.query = function (q, opts) {
    opts = opts || {};
    var s = settings(opts);
    return loadIndex(opts).then(function (loaded) {
      var request = {
        query: String(q == null ? '' : q),
        groups: opts.groups || [],
        obligations: opts.obligations || [],
        kinds: opts.kinds || [],
        version: s.version
      };
      if (opts.limit !== undefined) request.limit = opts.limit;
      return loaded.engine.call('search', encoder.encode(JSON.stringify(request)));
    });
  };

  if (!HAS_DOM) return;

  // ---------------------------------------------------------------- rendering

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  /** Appends `text` to `parent`, wrapping the code-point ranges in <mark>. */
  function appendMarked(parent, text, ranges) {
    var chars = Array.from(text || '');
    var pos = 0;
    (ranges || []).slice().sort(function (a, b) { return a[0] - b[0]; }).forEach(function (r) {
      var start = Math.max(r[0], pos);
      var end = Math.min(r[1], chars.length);
      if (end <= start) return;
      if (start > pos) parent.appendChild(document.createTextNode(chars.slice(pos, start).join('')));
      parent.appendChild(el('mark', null, chars.slice(start, end).join('')));
      pos = end;
    });
    if (pos < chars.length) parent.appendChild(document.createTextNode(chars.slice(pos).join('')));
  }

  /** Only relative URLs from the index become links (no scheme, no //host, no /path). */
  function safeHref(root, url) {
    if (typeof url !== 'string' || url === '') return null;
    if (/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(url) || url.charAt(0) === '/' || url.charAt(0) === '\\') return null;
    return root + url;
  }

  function labelsFrom(json) {
    var map = {};
    try {
      (JSON.parse(json || '[]') || []).forEach(function (item) {
        if (item && typeof item.id === 'string') map[item.id] = String(item.label || item.id);
      });
    } catch (e) { /* ignore malformed attribute */ }
    return map;
  }

  function renderHit(hit, ctx) {
    var li = el('li', 'nb-hit nb-hit--' + hit.kind);
    var href = safeHref(ctx.root, hit.url);
    var title = el(href ? 'a' : 'span', 'nb-hit-title');
    if (href) title.href = href;
    appendMarked(title, hit.title || hit.id, hit.title ? hit.title_highlights : []);
    li.appendChild(title);

    var meta = el('span', 'nb-hit-meta');
    var parts = [];
    if (hit.kind !== 'page') parts.push(el('span', 'nb-hit-id', hit.id));
    parts.push(el('span', 'nb-hit-kind', ctx.t.kinds[hit.kind] || hit.kind));
    if (hit.obligation) {
      parts.push(el('span', 'nb-hit-obligation nb-obligation--' + hit.obligation,
        ctx.obligations[hit.obligation] || hit.obligation));
    }
    if (ctx.showGroups && hit.target_groups && hit.target_groups.length) {
      parts.push(el('span', 'nb-hit-groups', hit.target_groups.map(function (g) {
        return ctx.groups[g] || g;
      }).join(', ')));
    }
    if (hit.version) parts.push(el('span', 'nb-hit-version', ctx.t.version + ' ' + hit.version));
    parts.forEach(function (part, i) {
      if (i > 0) meta.appendChild(document.createTextNode(' · '));
      meta.appendChild(part);
    });
    li.appendChild(meta);

    if (hit.excerpt) {
      var p = el('p', 'nb-hit-excerpt');
      appendMarked(p, hit.excerpt, hit.highlights);
      li.appendChild(p);
    }
    return li;
  }

  // "Mente du …?": the engine's suggestions as links (text nodes only); picking one runs it.
  function suggestionNode(tag, t, suggestions, href, pick) {
    var node = el(tag, 'nb-search-suggest');
    node.appendChild(document.createTextNode(t.suggest + ' '));
    suggestions.forEach(function (text, i) {
      if (i) node.appendChild(document.createTextNode(', '));
      var a = el('a', 'nb-search-suggestion', text);
      a.href = href(text);
      a.addEventListener('click', function (event) { event.preventDefault(); pick(text); });
      node.appendChild(a);
    });
    node.appendChild(document.createTextNode('?'));
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function countText(t, total) {
    return total === 1 ? t.one : fill(t.many, { n: total });
  }

  function errorText(t, error) {
    if (error && error.code === 'incompatible-format') return t.incompatible;
    return fill(t.failed, { detail: (error && (error.code || error.message)) || '?' });
  }

  function debounce(fn, ms) {
    var timer = null;
    return function () {
      var args = arguments;
      clearTimeout(timer);
      timer = setTimeout(function () { fn.apply(null, args); }, ms);
    };
  }

  function ensureStylesheet(root) {
    var links = document.querySelectorAll('link[rel="stylesheet"]');
    for (var i = 0; i < links.length; i++) {
      if (/static\/search\/search\.css$/.test(links[i].getAttribute('href') || '')) return;
    }
    var link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = root + 'static/search/search.css';
    document.head.appendChild(link);
  }

  // ---------------------------------------------------------------- URL state

  function readState() {
    var state = { q: '', g: [] };
    var read = function (text) {
      text.replace(/^[#?]/, '').split('&').forEach(function (pair) {
        if (!pair) return;
        var i = pair.indexOf('=');
        var key = i < 0 ? pair : pair.slice(0, i);
        var value = i < 0 ? '' : pair.slice(i + 1);
        try { value = decodeURIComponent(value.replace(/\+/g, ' ')); } catch (e) { return; }
        if (key === 'q') state.q = value;
        if (key === 'g') state.g = value.split(',').filter(Boolean);
      });
    };
    read(global.location.search || '');
    read(global.location.hash || '');
    return state;
  }

  function writeState(state) {
    var parts = [];
    if (state.q) parts.push('q=' + encodeURIComponent(state.q));
    if (state.g.length) parts.push('g=' + state.g.map(encodeURIComponent).join(','));
    var hash = parts.length ? '#' + parts.join('&') : '';
    if ((global.location.hash || '') === hash) return;
    try {
      // Drops a ?q= left by a form submission without JavaScript: the fragment rules now.
      global.history.replaceState(null, '', global.location.pathname + (hash || '#'));
    } catch (e) {
      global.location.replace(hash || '#');
    }
  }

  // ---------------------------------------------------------------- the box and the page

  var DROPDOWN_LIMIT = 8;
  var PAGE_LIMIT = 100;

  function init() {
    var form = document.querySelector('form.nb-search');
    var input = form && (form.querySelector('#nb-q') || form.querySelector('input[type="search"]'));
    var live = form && form.querySelector('#nb-search-results');
    if (!form || !input || !live) return;

    var s = settings();
    var t = strings(s.lang);
    var pageNode = document.getElementById('nb-search-page');
    var ctx = {
      root: s.root,
      t: t,
      groups: labelsFrom(pageNode && pageNode.getAttribute('data-groups')),
      // Elsewhere the labels come with the version's toc.js (window.normbokLabels).
      obligations: labelsFrom(pageNode ? pageNode.getAttribute('data-obligations')
        : JSON.stringify((global.normbokLabels && global.normbokLabels.obligations) || [])),
      showGroups: !!pageNode
    };
    ensureStylesheet(s.root);

    // The dropdown (hits, then the link to all hits) in one box, so a theme can place it
    // as a whole, e.g. inside the viewport below the box.
    var drop = el('div', 'nb-search-drop');
    live.parentNode.insertBefore(drop, live.nextSibling);
    var list = el('ul', 'nb-search-list');
    list.id = 'nb-search-list';
    list.hidden = true;
    drop.appendChild(list);
    var more = el('a', 'nb-search-more');
    more.hidden = true;
    drop.appendChild(more);
    var generation = 0;

    function say(text) {
      live.textContent = text;
    }

    function close() {
      list.hidden = true;
      more.hidden = true;
      form.classList.remove('nb-search--open');
    }

    function links() {
      return Array.prototype.slice.call(list.querySelectorAll('a.nb-hit-title'));
    }

    // ---- page mode: filters + full result list
    var page = null;
    if (pageNode) {
      page = {
        checks: [],
        note: el('p', 'nb-search-note'),
        status: el('p', 'nb-search-page-status'),
        suggest: el('p', 'nb-search-suggest'),
        results: el('ol', 'nb-search-page-results')
      };
      page.note.hidden = true;
      page.suggest.hidden = true;
      var ids = Object.keys(ctx.groups);
      if (ids.length) {
        var fieldset = el('fieldset', 'nb-search-filters');
        fieldset.appendChild(el('legend', null, t.groups));
        ids.forEach(function (id) {
          var label = el('label', 'nb-search-filter');
          var box = document.createElement('input');
          box.type = 'checkbox';
          box.value = id;
          box.addEventListener('change', function () { run(input.value, true); });
          label.appendChild(box);
          label.appendChild(document.createTextNode(' ' + ctx.groups[id]));
          fieldset.appendChild(label);
          page.checks.push(box);
        });
        pageNode.appendChild(fieldset);
      }
      pageNode.appendChild(page.note);
      pageNode.appendChild(page.status);
      pageNode.appendChild(page.suggest);
      pageNode.appendChild(page.results);
    }

    function selectedGroups() {
      return page ? page.checks.filter(function (c) { return c.checked; }).map(function (c) { return c.value; }) : [];
    }

    function applyState() {
      var state = readState();
      input.value = state.q;
      if (page) {
        // An unknown group in the fragment (an old or mistyped link) is ignored, visibly.
        var known = page.checks.map(function (c) { return c.value; });
        var unknown = state.g.filter(function (g) { return known.indexOf(g) < 0; });
        page.note.textContent = unknown.length ? fill(t.unknownGroup, { g: unknown.join(', ') }) : '';
        page.note.hidden = !unknown.length;
        page.checks.forEach(function (c) { c.checked = state.g.indexOf(c.value) >= 0; });
      }
      run(state.q, false);
    }

    function run(q, updateUrl) {
      var mine = ++generation;
      var groups = selectedGroups();
      if (page && updateUrl) writeState({ q: q, g: groups });
      if (!q.trim()) {
        close();
        say('');
        if (page) { clear(page.results); page.status.textContent = t.prompt; }
        return;
      }
      var limit = page ? PAGE_LIMIT : DROPDOWN_LIMIT;
      var slow = setTimeout(function () { if (mine === generation) say(t.loading); }, 150);
      NS.query(q, { groups: groups, limit: limit }).then(function (response) {
        clearTimeout(slow);
        if (mine !== generation) return;
        var count = response.total === 0 ? fill(t.none, { q: q }) : countText(t, response.total);
        var suggestions = response.total === 0 ? (response.suggestions || []) : [];
        var pick = function (text) { input.value = text; run(text, true); };
        // The live region reads the suggestions too; the page shows them as links.
        var spoken = suggestions.length ? count + ' ' + t.suggest + ' ' + suggestions.join(', ') + '?' : count;
        if (page) {
          clear(page.suggest);
          page.suggest.hidden = !suggestions.length;
          if (suggestions.length) {
            var node = suggestionNode('span', t, suggestions, function (text) { return '#q=' + encodeURIComponent(text); }, pick);
            page.suggest.appendChild(node);
          }
          clear(page.results);
          response.hits.forEach(function (hit) { page.results.appendChild(renderHit(hit, ctx)); });
          page.status.textContent = response.total > response.hits.length
            ? fill(t.showing, { shown: response.hits.length, n: response.total }) : count;
          say(spoken);
          return;
        }
        clear(list);
        response.hits.forEach(function (hit) { list.appendChild(renderHit(hit, ctx)); });
        if (suggestions.length) {
          list.appendChild(suggestionNode('li', t, suggestions, function (text) {
            return form.getAttribute('action') + '#q=' + encodeURIComponent(text);
          }, pick));
        }
        list.hidden = response.hits.length === 0 && !suggestions.length;
        if (response.total > response.hits.length) {
          more.textContent = fill(t.all, { n: response.total });
          more.href = form.getAttribute('action') + '#q=' + encodeURIComponent(q);
          more.hidden = false;
        } else {
          more.hidden = true;
        }
        form.classList.add('nb-search--open');
        say(spoken);
      }).catch(function (error) {
        clearTimeout(slow);
        if (mine !== generation) return;
        close();
        var message = errorText(t, error);
        say(message);
        if (page) { clear(page.results); page.status.textContent = message; }
        if (global.console) global.console.error('normbok search:', error);
      });
    }

    var warm = function () { NS.load().catch(function () { /* reported on search */ }); };
    var onInput = debounce(function () { run(input.value, true); }, 80);

    input.addEventListener('focus', warm, { once: true });
    input.addEventListener('input', onInput);
    input.addEventListener('keydown', function (event) {
      if (event.key === 'Escape') {
        close();
      } else if (event.key === 'ArrowDown' && !list.hidden) {
        var first = links()[0];
        if (first) { event.preventDefault(); first.focus(); }
      }
    });
    list.addEventListener('keydown', function (event) {
      var all = links();
      var i = all.indexOf(document.activeElement);
      if (event.key === 'Escape') {
        event.preventDefault();
        close();
        input.focus();
      } else if (event.key === 'ArrowDown' && i >= 0 && i + 1 < all.length) {
        event.preventDefault();
        all[i + 1].focus();
      } else if (event.key === 'ArrowUp' && i >= 0) {
        event.preventDefault();
        if (i === 0) input.focus(); else all[i - 1].focus();
      }
    });
    document.addEventListener('click', function (event) {
      if (!form.contains(event.target)) close();
    });
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      if (page) {
        run(input.value, true);
      } else {
        global.location.href = form.getAttribute('action') + '#q=' + encodeURIComponent(input.value);
      }
    });

    if (page) {
      global.addEventListener('hashchange', function () {
        var state = readState();
        if (state.q !== input.value || state.g.join(',') !== selectedGroups().join(',')) applyState();
      });
      applyState();
    }
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})(typeof globalThis !== 'undefined' ? globalThis : this);
