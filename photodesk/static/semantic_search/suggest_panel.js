/* "Suggested images" in an article editor. No build step, no dependencies.
 *
 * Suggestions follow the title and body (debounced; a newer request aborts the older one),
 * "Suggest now" asks at once, the search box asks for a free query, "More like this" shows
 * images similar to one card. Each card can become the lead image or be inserted into the
 * body as a token line (data-image-token, e.g. [image:<id>]) at the cursor. Updates are
 * announced through a live region. The panel's data attributes name the endpoints and the
 * ids of the form fields (data-title-field, data-body-field, data-lead-field); a field that
 * is not there is left alone. Suggestions and searches also show video shots (when the
 * server sends `videos`): the shot's frame, its time range and a link to the video's
 * timeline at that time; with data-still-url, "Use as lead image" and "Use this frame as a
 * still" make that frame an image of the archive, whose card then works like any other.
 * A card that stands for a series (a burst) offers "+N similar": its other frames open
 * under it as cards of their own.
 */
(function () {
  'use strict';

  const DEBOUNCE_MS = 700;
  const VIDEOS_AFTER_PHOTOS = 3;

  function init() {
    const panel = document.getElementById('pd-suggest');
    if (!panel) { return; }
    const form = panel.closest('form');
    const field = function (id) { return id ? document.getElementById(id) : null; };
    const title = field(panel.dataset.titleField);
    const body = field(panel.dataset.bodyField);
    const lead = field(panel.dataset.leadField);
    const tokenTemplate = panel.dataset.imageToken || '[image:{id}]';
    const tokenParts = tokenTemplate.split('{id}');
    const escape = function (text) { return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'); };
    const tokenPattern = new RegExp(escape(tokenParts[0]) + '\\d+' + escape(tokenParts[1] || ''), 'g');
    function tokenFor(id) { return tokenParts.join(String(id)); }
    const csrf = form && form.querySelector('input[name=csrfmiddlewaretoken]');
    const list = panel.querySelector('.pd-results');
    const status = panel.querySelector('.pd-status');
    const context = panel.querySelector('.pd-context');
    const contextText = panel.querySelector('.pd-context-text');
    const searchInput = panel.querySelector('#pd-search-input');

    let controller = null;
    let timer = null;
    let lastSuggested = null; // the text the shown suggestions were made for
    let mode = 'suggest';

    function say(message) { status.textContent = message; }

    function request(url, options, onData) {
      if (controller) { controller.abort(); }
      controller = new AbortController();
      const mine = controller;
      list.setAttribute('aria-busy', 'true');
      panel.classList.add('pd-loading');
      const headers = { 'Accept': 'application/json', 'X-Requested-With': 'XMLHttpRequest' };
      if (csrf) { headers['X-CSRFToken'] = csrf.value; }
      return fetch(url, Object.assign({ credentials: 'same-origin', headers: headers, signal: mine.signal }, options))
        .then(function (response) {
          return response.json().catch(function () { return {}; }).then(function (data) {
            if (!response.ok) {
              throw new Error(data.error || ('The server answered ' + response.status + '.'));
            }
            return data;
          });
        })
        .then(function (data) { if (mine === controller) { onData(data); } })
        .catch(function (error) {
          if (error.name === 'AbortError') { return; }
          say(error.message || 'Could not load images.');
        })
        .finally(function () {
          if (mine === controller) {
            list.setAttribute('aria-busy', 'false');
            panel.classList.remove('pd-loading');
            controller = null;
          }
        });
    }

    function articleText() {
      return { title: title ? title.value : '', body: body ? body.value : '' };
    }

    function suggest(force) {
      const text = articleText();
      const key = text.title + '\u0000' + text.body;
      if (!force && key === lastSuggested && mode === 'suggest') { return; }
      mode = 'suggest';
      context.hidden = true;
      if (!text.title.trim() && !text.body.replace(tokenPattern, '').trim()) {
        lastSuggested = key;
        if (controller) { controller.abort(); }
        list.replaceChildren();
        say('Write a title or some text to see suggestions.');
        return;
      }
      const data = new FormData();
      data.append('title', text.title);
      data.append('body', text.body);
      if (panel.dataset.article) { data.append('article', panel.dataset.article); }
      if (lead && /^\d+$/.test(lead.value.trim())) { data.append('lead_image', lead.value.trim()); }
      // While typing, only the result is announced (the spinner shows the wait).
      if (force) { say('Looking for images…'); }
      request(panel.dataset.suggestUrl, { method: 'POST', body: data }, function (payload) {
        lastSuggested = key;
        render(payload.results);
        // Video shots after the first few photos: seen without scrolling past every photo.
        const videos = payload.videos || [];
        const after = list.children[VIDEOS_AFTER_PHOTOS] || null;
        videos.forEach(function (video) { list.insertBefore(videoElement(video), after); });
        say(count(payload.results.length, 'suggestion') + (videos.length ? ' and ' + count(videos.length, 'video shot') : '') + ' for the text as it is now.');
      });
    }

    function search() {
      const query = searchInput.value.trim();
      if (!query) { suggest(true); return; }
      mode = 'search';
      say('Searching…');
      const url = panel.dataset.searchUrl + '?' + new URLSearchParams({ q: query });
      request(url, { method: 'GET' }, function (payload) {
        showContext('Results for “' + query + '”');
        render(payload.results);
        const videos = payload.videos || [];
        videos.forEach(function (video) { list.appendChild(videoElement(video)); });
        say(count(payload.results.length, 'image') + (videos.length ? ' and ' + count(videos.length, 'video moment') : '') + ' found for “' + query + '”.');
      });
    }

    function similar(card) {
      mode = 'similar';
      say('Looking for similar images…');
      const url = panel.dataset.similarUrl.replace(/\/0\/$/, '/' + card.id + '/');
      request(url, { method: 'GET' }, function (payload) {
        showContext('Similar to “' + card.title + '”');
        render(payload.results);
        say(count(payload.results.length, 'image') + ' similar to “' + card.title + '”.');
        const first = list.querySelector('button');
        (first || context.querySelector('button')).focus();
      });
    }

    function showContext(text) {
      contextText.textContent = text;
      context.hidden = false;
    }

    function count(n, noun) { return n + ' ' + noun + (n === 1 ? '' : 's'); }

    function reasonText(reason) {
      if (reason && typeof reason === 'object') { return reason.text || ''; }
      return String(reason);
    }

    function render(results) {
      const usedInBody = new Set((body ? body.value : '').match(tokenPattern) || []);
      list.replaceChildren.apply(list, results.map(function (card) {
        return cardElement(card, usedInBody.has(tokenFor(card.id)));
      }));
    }

    function button(label, action, describedBy) {
      const element = document.createElement('button');
      element.type = 'button';
      element.className = 'button pd-' + action;
      element.dataset.action = action;
      element.textContent = label;
      element.setAttribute('aria-describedby', describedBy);
      return element;
    }

    function cardElement(card, inBody) {
      const item = document.createElement('li');
      item.className = 'pd-card';
      item.dataset.imageId = card.id;
      const headingId = 'pd-card-' + card.id + '-' + Math.random().toString(36).slice(2, 7);

      const image = document.createElement('img');
      image.src = card.thumbnail;
      image.alt = card.title;
      image.loading = 'lazy';
      image.addEventListener('error', function () { image.classList.add('pd-broken'); });
      previewLeadCrop(image, card);
      const link = document.createElement('a');
      link.href = card.admin_url;
      link.target = '_blank';
      link.rel = 'noopener';
      link.className = 'pd-thumb';
      link.title = 'Open the image page (new tab)';
      link.appendChild(image);

      const heading = document.createElement('h3');
      heading.id = headingId;
      heading.textContent = card.title;

      const meta = document.createElement('p');
      meta.className = 'pd-meta';
      const parts = [];
      if (card.credit) { parts.push(card.credit); }
      if (card.date) { parts.push((card.date_kind === 'taken' ? 'taken ' : 'added ') + card.date); }
      if (card.rights_label) { parts.push(card.rights_label); }
      meta.textContent = parts.join(' · ');

      const reasons = document.createElement('ul');
      reasons.className = 'pd-reasons';
      reasons.setAttribute('aria-label', 'Why it was suggested');
      (card.reasons || []).forEach(function (reason) {
        const text = reasonText(reason);
        if (!text) { return; }
        const li = document.createElement('li');
        li.textContent = text;
        if (reason && reason.kind) { li.dataset.kind = reason.kind; }
        reasons.appendChild(li);
      });

      const actions = document.createElement('div');
      actions.className = 'pd-actions';
      const isLead = lead && lead.value.trim() === String(card.id);
      const useButton = button(isLead ? 'Lead image ✓' : 'Use as lead image', 'lead', headingId);
      if (!lead) { useButton.disabled = true; }
      const insertButton = button(inBody ? 'Insert again' : 'Insert into body', 'insert', headingId);
      if (!body) { insertButton.disabled = true; }
      actions.append(
        useButton,
        insertButton,
        button('More like this', 'similar', headingId)
      );
      // The other frames of its series (a burst): shown under the card on request.
      const frames = card.similar || [];
      if (frames.length) {
        const more = button('+' + frames.length + ' similar', 'frames', headingId);
        more.setAttribute('aria-expanded', 'false');
        more.title = 'Other frames of the same series (taken seconds apart)';
        actions.append(more);
      }

      item.append(link, heading, meta, reasons, actions);
      if (inBody) { item.classList.add('pd-in-body'); }
      if (isLead) { item.classList.add('pd-is-lead'); }
      item.pdCard = card;
      return item;
    }

    // The card shows the image as the lead image will be cut (CROP_PREVIEW_RATIO, never
    // cutting a face); the plain thumbnail if that crop cannot be had.
    function previewLeadCrop(image, card) {
      if (!card.lead_crop) { return; }
      image.src = card.lead_crop.url;
      image.classList.add('pd-lead-crop');
      image.style.aspectRatio = card.lead_crop.ratio.replace(':', ' / ');
      image.title = 'As the lead image (' + card.lead_crop.ratio + ' crop)';
      image.addEventListener('error', function () {
        if (image.src !== card.thumbnail) { image.classList.remove('pd-broken', 'pd-lead-crop'); image.style.aspectRatio = ''; image.src = card.thumbnail; }
      }, { once: true });
    }

    function videoElement(video) {
      const item = document.createElement('li');
      item.className = 'pd-card pd-video-card';
      const headingId = 'pd-video-' + video.id + '-' + Math.random().toString(36).slice(2, 7);
      const image = document.createElement('img');
      image.src = video.thumbnail_url || '';
      image.alt = video.title + ', ' + video.moment;
      image.loading = 'lazy';
      const link = document.createElement('a');
      link.href = video.timeline_url || video.file_url;
      link.target = '_blank';
      link.rel = 'noopener';
      link.className = 'pd-thumb';
      link.title = 'Open the video at this shot (new tab)';
      link.appendChild(image);
      const heading = document.createElement('h3');
      heading.id = headingId;
      heading.textContent = '▶ ' + video.title;
      const meta = document.createElement('p');
      meta.className = 'pd-meta pd-moment';
      meta.textContent = 'Video, ' + video.moment;
      const range = document.createElement('p');
      range.className = 'pd-meta pd-range';
      range.append('Shot ' + (video.range || '') + ' · ');
      const timeline = document.createElement('a');
      timeline.href = video.timeline_url || video.file_url;
      timeline.target = '_blank';
      timeline.rel = 'noopener';
      timeline.className = 'pd-timeline-link';
      timeline.textContent = 'Open in the timeline';
      range.append(timeline);
      const actions = document.createElement('div');
      actions.className = 'pd-actions';
      const asLead = button('Use as lead image', 'still-lead', headingId);
      if (!panel.dataset.stillUrl || !lead) { asLead.disabled = true; }
      const still = button('Use this frame as a still', 'still', headingId);
      if (!panel.dataset.stillUrl) { still.disabled = true; }
      actions.append(asLead, still);
      item.append(link, heading, meta, range, actions);
      item.pdVideo = video;
      return item;
    }

    // The frame becomes an image of the archive; with asLead it is then the lead image.
    function makeStill(video, item, asLead) {
      say('Making a still from “' + video.title + '” ' + video.moment.split(' — ')[0] + '…');
      const data = new FormData();
      data.append('video', video.id);
      data.append('at', video.frame);
      request(panel.dataset.stillUrl, { method: 'POST', body: data }, function (payload) {
        const card = payload.image;
        const still = cardElement(card, false);
        item.replaceWith(still);
        if (asLead) { useAsLead(card, still); return; }
        say('“' + card.title + '” is now image ' + card.id + ' of the archive: use it as the lead image or insert it.');
      });
    }

    function useAsLead(card, item) {
      lead.value = String(card.id);
      // The lookup popup's code listens through jQuery; native listeners get a real event.
      if (window.django && window.django.jQuery) { window.django.jQuery(lead).trigger('change'); }
      lead.dispatchEvent(new Event('change', { bubbles: true }));
      updateLeadPreview(card.title);
      list.querySelectorAll('.pd-card').forEach(function (other) {
        const mine = other === item;
        other.classList.toggle('pd-is-lead', mine);
        const leadButton = other.querySelector('.pd-lead');
        if (leadButton) { leadButton.textContent = mine ? 'Lead image ✓' : 'Use as lead image'; }
      });
      say('“' + card.title + '” is the lead image. Save the article to keep it.');
    }

    function updateLeadPreview(label) {
      const field = lead && lead.closest('.pd-lead-field');
      if (!field) { return; }
      const preview = field.querySelector('.pd-lead-preview');
      const id = lead.value.trim();
      const template = field.dataset.thumbnailUrlTemplate;
      if (!/^\d+$/.test(id) || !template) { preview.hidden = true; return; }
      const img = preview.querySelector('img');
      img.onerror = function () { preview.hidden = true; }; // no such image, or no file
      img.src = template.replace(/\/0\/$/, '/' + id + '/');
      img.alt = label || ('Image ' + id);
      preview.querySelector('figcaption').textContent = label || ('Image ' + id);
      // The admin's own label names the image saved before; it is out of date now.
      const old = field.querySelector('strong');
      if (old) { old.hidden = true; }
      preview.hidden = false;
    }

    function toggleFrames(card, item, toggle) {
      const open = toggle.getAttribute('aria-expanded') === 'true';
      list.querySelectorAll('.pd-frame-card[data-series-of="' + card.id + '"]').forEach(function (old) { old.remove(); });
      toggle.setAttribute('aria-expanded', open ? 'false' : 'true');
      toggle.textContent = open ? '+' + card.similar.length + ' similar' : 'Hide similar';
      if (open) { return; }
      const usedInBody = new Set((body ? body.value : '').match(tokenPattern) || []);
      item.after.apply(item, card.similar.map(function (frame) {
        const element = cardElement(frame, usedInBody.has(tokenFor(frame.id)));
        element.classList.add('pd-frame-card');
        element.dataset.seriesOf = card.id;
        return element;
      }));
      say(count(card.similar.length, 'other frame') + ' of the series of “' + card.title + '”.');
    }

    function insertIntoBody(card, item) {
      const token = tokenFor(card.id);
      const text = body.value;
      const start = body.selectionStart ?? text.length;
      const end = body.selectionEnd ?? start;
      const before = text.slice(0, start);
      const after = text.slice(end);
      // On its own line: break the line before and after the cursor if needed.
      const prefix = before && !before.endsWith('\n') ? '\n' : '';
      const suffix = after.startsWith('\n') ? '' : '\n';
      body.value = before + prefix + token + suffix + after;
      const caret = before.length + prefix.length + token.length + suffix.length;
      body.focus();
      body.setSelectionRange(caret, caret);
      lastSuggested = articleText().title + '\u0000' + body.value; // a token is not new text
      item.classList.add('pd-in-body');
      item.querySelector('.pd-insert').textContent = 'Insert again';
      say('“' + card.title + '” inserted into the body.');
    }

    panel.addEventListener('click', function (event) {
      const target = event.target.closest('button[data-action]');
      if (!target || !panel.contains(target)) { return; }
      event.preventDefault();
      const item = target.closest('.pd-card');
      const card = item && item.pdCard;
      switch (target.dataset.action) {
        case 'refresh': searchInput.value = ''; suggest(true); break;
        case 'search': search(); break;
        case 'back': searchInput.value = ''; suggest(true); panel.querySelector('.pd-refresh').focus(); break;
        case 'lead': useAsLead(card, item); break;
        case 'insert': insertIntoBody(card, item); break;
        case 'similar': similar(card); break;
        case 'frames': toggleFrames(card, item, target); break;
        case 'still': makeStill(item.pdVideo, item, false); break;
        case 'still-lead': makeStill(item.pdVideo, item, true); break;
      }
    });

    // Enter in the search box searches; it must not submit the article form around it.
    searchInput.addEventListener('keydown', function (event) {
      if (event.key === 'Enter') { event.preventDefault(); search(); }
      if (event.key === 'Escape' && searchInput.value) { searchInput.value = ''; suggest(true); }
    });

    function schedule() {
      if (mode !== 'suggest') { return; } // keep a search or "more like this" on screen
      clearTimeout(timer);
      timer = setTimeout(function () { suggest(false); }, DEBOUNCE_MS);
    }
    [title, body].forEach(function (field) {
      if (field) { field.addEventListener('input', schedule); }
    });

    if (lead) {
      const refreshPreview = function () { updateLeadPreview(''); };
      lead.addEventListener('input', refreshPreview);
      if (window.django && window.django.jQuery) {
        // The lookup popup sets the value and triggers a jQuery change event.
        window.django.jQuery(lead).on('change', refreshPreview);
      }
    }

    suggest(false);
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
}());
