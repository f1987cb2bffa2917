// The "Suggested images" panel of Wagtail's page editor (photodesk.contrib.wagtail.panels).
//
// Reads the title and the body as they are typed (Draftail keeps each rich text's content in a
// hidden input as JSON; StreamField text blocks are plain inputs), asks the suggest endpoint
// once typing pauses, and shows the images with their reasons. "Use as lead image" goes
// through Wagtail's image chooser widget, "Insert into body" adds a Draftail IMAGE entity.
// Suggestions may hold video shots too (the server's `videos`): a shot card links to the
// video's timeline at that time, and its "Use as lead image" first makes the frame a still.
(() => {
  "use strict";

  const PAUSE_MS = 700; // typing pause before asking
  const POLL_MS = 400; // Draftail writes its hidden input without an input event
  const VIDEOS_AFTER_PHOTOS = 3; // shots follow the best photos: seen without scrolling

  function contentState(input) {
    if (!input.value || input.value[0] !== "{") return null;
    try {
      const state = JSON.parse(input.value);
      return Array.isArray(state.blocks) ? state : null;
    } catch (e) {
      return null;
    }
  }

  class SuggestPanel {
    constructor(root) {
      this.root = root;
      this.form = root.closest("form");
      this.bodyField = root.dataset.bodyField;
      this.leadField = root.dataset.leadImageField;
      this.status = root.querySelector(".pd-status");
      this.list = root.querySelector(".pd-cards");
      this.query = root.querySelector(".pd-query");
      this.lastAsked = null;
      this.changedAt = 0;
      this.lastText = this.articleText();
      this.lastFocusedRichText = null;

      this.form.addEventListener("input", () => (this.changedAt = Date.now()));
      this.form.addEventListener("focusin", (event) => this.rememberRichText(event.target));
      root.querySelector(".pd-search-button").addEventListener("click", () => this.search());
      this.query.addEventListener("keydown", (event) => {
        if (event.key === "Enter") {
          event.preventDefault(); // not the page's form
          this.search();
        }
      });
      window.setInterval(() => this.tick(), POLL_MS);
      if (this.lastText.trim()) this.suggest();
    }

    // --- reading the page as it is now ---
    bodyContainer() {
      const name = this.bodyField;
      if (!name) return null;
      return (
        this.form.querySelector(`[data-contentpath="${name}"]`) ||
        document.getElementById(`id_${name}`)?.closest("[data-field]") ||
        document.getElementById(`${name}-count`)?.parentElement
      );
    }

    bodyInputs() {
      const container = this.bodyContainer();
      return container ? Array.from(container.querySelectorAll("input, textarea")) : [];
    }

    bodyText() {
      const parts = [];
      for (const input of this.bodyInputs()) {
        if (input.type === "hidden") {
          const state = contentState(input);
          if (state) parts.push(state.blocks.filter((b) => b.type !== "atomic").map((b) => b.text).join("\n"));
        } else if (input.tagName === "TEXTAREA" || input.type === "text") {
          parts.push(input.value);
        }
      }
      return parts.filter((p) => p.trim()).join("\n");
    }

    title() {
      return document.getElementById("id_title")?.value || "";
    }

    articleText() {
      return `${this.title()}\n${this.bodyText()}`;
    }

    leadImage() {
      return this.leadField ? document.getElementById(`id_${this.leadField}`)?.value || "" : "";
    }

    imagesInBody() {
      const ids = new Set();
      for (const input of this.bodyInputs()) {
        const state = input.type === "hidden" ? contentState(input) : null;
        if (state) {
          for (const entity of Object.values(state.entityMap || {})) {
            if (entity.type === "IMAGE" && entity.data?.id) ids.add(String(entity.data.id));
          }
        }
      }
      const container = this.bodyContainer();
      for (const chooser of container ? container.querySelectorAll(".chooser") : []) {
        if (window.ImageChooser && chooser.widget instanceof window.ImageChooser) {
          const value = chooser.widget.getValue();
          if (value) ids.add(String(value));
        }
      }
      return ids;
    }

    richTextInputs() {
      return this.bodyInputs().filter((input) => input.draftailEditor);
    }

    rememberRichText(target) {
      const wrapper = target.closest?.("[data-draftail-editor-wrapper], .Draftail-Editor");
      if (!wrapper) return;
      const input = this.richTextInputs().find(
        (i) => i.parentElement?.contains(wrapper) || wrapper.contains(i),
      );
      if (input) this.lastFocusedRichText = input;
    }

    // --- asking ---
    tick() {
      const text = this.articleText();
      if (text !== this.lastText) {
        this.lastText = text;
        this.changedAt = Date.now();
      }
      if (text !== this.lastAsked && Date.now() - this.changedAt >= PAUSE_MS) this.suggest();
    }

    csrf() {
      return this.form.querySelector("[name=csrfmiddlewaretoken]")?.value || "";
    }

    async suggest() {
      const text = this.articleText();
      this.lastAsked = text;
      if (!text.trim()) {
        this.show("Write a title or some text to see suggestions.", []);
        return;
      }
      const data = new URLSearchParams({
        title: this.title(),
        body: this.bodyText(),
        page: this.root.dataset.pageId,
        lead_image: this.leadImage(),
        in_body: Array.from(this.imagesInBody()).join(","),
      });
      for (const [key, value] of Array.from(data.entries())) if (!value) data.delete(key);
      this.status.textContent = "Looking for images…";
      const answer = await this.fetchJSON(this.root.dataset.suggestUrl, {
        method: "POST",
        body: data,
        headers: { "X-CSRFToken": this.csrf() },
      });
      if (answer && this.lastAsked === text) {
        const n = answer.results.length;
        const videos = answer.videos || [];
        const shots = videos.length ? ` and ${videos.length} video shot${videos.length === 1 ? "" : "s"}` : "";
        this.show(`${n} suggestion${n === 1 ? "" : "s"}${shots} for the text as it is now`, answer.results);
        const after = this.list.children[VIDEOS_AFTER_PHOTOS] || null;
        for (const video of videos) this.list.insertBefore(this.videoCard(video), after);
      }
    }

    async search() {
      const q = this.query.value.trim();
      if (!q) return;
      this.lastAsked = this.articleText(); // typing again goes back to suggestions
      this.status.textContent = "Searching…";
      const url = `${this.root.dataset.searchUrl}?${new URLSearchParams({ q })}`;
      const answer = await this.fetchJSON(url, {});
      if (answer) {
        const n = answer.results.length;
        this.show(`${n} image${n === 1 ? "" : "s"} for “${q}”`, answer.results);
      }
    }

    async fetchJSON(url, options) {
      try {
        const response = await fetch(url, { credentials: "same-origin", ...options });
        const answer = await response.json();
        if (!response.ok) {
          this.status.textContent = answer.error || `The server answered ${response.status}.`;
          return null;
        }
        return answer;
      } catch (e) {
        this.status.textContent = "Suggestions are unavailable right now.";
        return null;
      }
    }

    // --- showing ---
    show(message, results) {
      this.status.textContent = message;
      this.list.replaceChildren(...results.map((result) => this.card(result)));
    }

    card(result) {
      const li = document.createElement("li");
      li.className = "pd-card";
      li.dataset.imageId = result.id;
      const img = document.createElement("img");
      img.src = result.thumbnail;
      img.alt = result.title;
      img.loading = "lazy";
      this.previewLeadCrop(img, result);
      const title = document.createElement("a");
      title.className = "pd-title";
      title.href = result.admin_url;
      title.target = "_blank";
      title.textContent = result.title;
      const meta = document.createElement("p");
      meta.className = "pd-meta";
      meta.textContent = [result.credit, `${result.width}×${result.height}`].filter(Boolean).join(" · ");
      const reasons = document.createElement("ul");
      reasons.className = "pd-reasons";
      for (const reason of result.reasons) {
        const item = document.createElement("li");
        item.dataset.kind = reason.kind;
        item.textContent = reason.text;
        reasons.append(item);
      }
      const actions = document.createElement("div");
      actions.className = "pd-actions";
      if (this.leadField && document.getElementById(`id_${this.leadField}-chooser`)) {
        actions.append(this.button("Use as lead image", () => this.useAsLead(result, li)));
      }
      if (this.richTextInputs().length) {
        actions.append(this.button("Insert into body", () => this.insertIntoBody(result, li)));
      }
      const frames = result.similar || [];
      if (frames.length) {
        // The other frames of its series (a burst), opened under the card on request.
        const label = `+${frames.length} similar`;
        const more = this.button(label, () => {
          const open = more.getAttribute("aria-expanded") === "true";
          this.list.querySelectorAll(`.pd-frame-card[data-series-of="${result.id}"]`).forEach((el) => el.remove());
          more.setAttribute("aria-expanded", String(!open));
          more.textContent = open ? label : "Hide similar";
          if (!open) {
            li.after(...frames.map((frame) => {
              const card = this.card(frame);
              card.classList.add("pd-frame-card");
              card.dataset.seriesOf = result.id;
              return card;
            }));
          }
        });
        more.classList.add("pd-frames");
        more.setAttribute("aria-expanded", "false");
        actions.append(more);
      }
      li.append(img, title, meta, reasons, actions);
      return li;
    }

    // The card shows the image as the lead image will be cut (CROP_PREVIEW_RATIO, never
    // cutting a face); Wagtail's thumbnail if that crop cannot be had.
    previewLeadCrop(img, result) {
      if (!result.lead_crop) return;
      img.src = result.lead_crop.url;
      img.classList.add("pd-lead-crop");
      img.style.aspectRatio = result.lead_crop.ratio.replace(":", " / ");
      img.title = `As the lead image (${result.lead_crop.ratio} crop)`;
      img.addEventListener("error", () => {
        img.classList.remove("pd-lead-crop");
        img.style.aspectRatio = "";
        img.src = result.thumbnail;
      }, { once: true });
    }

    videoCard(video) {
      const li = document.createElement("li");
      li.className = "pd-card pd-video-card";
      const img = document.createElement("img");
      img.src = video.thumbnail_url || "";
      img.alt = `${video.title}, ${video.moment}`;
      img.loading = "lazy";
      const title = document.createElement("a");
      title.className = "pd-title";
      title.href = video.timeline_url || video.file_url;
      title.target = "_blank";
      title.textContent = `▶ ${video.title}`;
      const meta = document.createElement("p");
      meta.className = "pd-meta pd-moment";
      meta.textContent = `Video, ${video.moment}`;
      const range = document.createElement("p");
      range.className = "pd-meta pd-range";
      range.textContent = `Shot ${video.range}`;
      const actions = document.createElement("div");
      actions.className = "pd-actions";
      if (this.leadField && document.getElementById(`id_${this.leadField}-chooser`)) {
        actions.append(this.button("Use as lead image", () => this.stillAsLead(video, li)));
      }
      li.append(img, title, meta, range, actions);
      return li;
    }

    async stillAsLead(video, li) {
      this.status.textContent = `Making a still from “${video.title}” ${video.moment.split(" — ")[0]}…`;
      const data = new URLSearchParams({ video: video.id, at: video.frame, page: this.root.dataset.pageId });
      if (!data.get("page")) data.delete("page");
      const answer = await this.fetchJSON(this.root.dataset.stillUrl, {
        method: "POST",
        body: data,
        headers: { "X-CSRFToken": this.csrf() },
      });
      if (!answer) return;
      const card = this.card(answer.image);
      li.replaceWith(card);
      this.useAsLead(answer.image, card);
      this.status.textContent = `“${answer.image.title}” is now image ${answer.image.id} of the archive and the lead image.`;
    }

    button(label, onClick) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "button button-small button-secondary";
      button.textContent = label;
      button.addEventListener("click", onClick);
      return button;
    }

    mark(li, text) {
      let note = li.querySelector(".pd-used");
      if (!note) {
        note = document.createElement("p");
        note.className = "pd-used";
        li.append(note);
      }
      note.textContent = text;
    }

    // --- using an image ---
    useAsLead(result, li) {
      const chooser = document.getElementById(`id_${this.leadField}-chooser`);
      // What Wagtail's image chooser modal hands the widget when an image is chosen.
      chooser.widget.setStateFromModalData({
        id: result.id,
        title: result.title,
        edit_url: result.admin_url,
        preview: result.preview,
        default_alt_text: result.title,
      });
      this.list.querySelectorAll(".pd-used-lead").forEach((el) => el.remove());
      this.mark(li, "Lead image");
      li.querySelector(".pd-used").classList.add("pd-used-lead");
    }

    insertIntoBody(result, li) {
      const inputs = this.richTextInputs();
      const input = inputs.includes(this.lastFocusedRichText) ? this.lastFocusedRichText : inputs[inputs.length - 1];
      const editor = input.draftailEditor;
      const { EditorState, AtomicBlockUtils } = window.DraftJS || {};
      let state = editor.getEditorState();
      const content = state
        .getCurrentContent()
        .createEntity("IMAGE", "IMMUTABLE", {
          id: result.id,
          src: result.preview.url,
          alt: result.title,
          format: "fullwidth",
        });
      const key = content.getLastCreatedEntityKey();
      if (AtomicBlockUtils) {
        state = AtomicBlockUtils.insertAtomicBlock(EditorState.set(state, { currentContent: content }), key, " ");
      } else {
        state = window.Draftail.DraftUtils.addAtomicBlock?.(state, key) || state;
      }
      editor.onChange(state);
      // Draftail writes its field 250 ms after the last change; a page saved sooner would lose
      // the image, so the field is written as soon as React has committed the new state.
      window.setTimeout(() => editor.saveState?.(), 0);
      this.mark(li, "In the body");
    }
  }

  function init() {
    document.querySelectorAll(".pd-suggest").forEach((root) => {
      if (!root.photodeskPanel) root.photodeskPanel = new SuggestPanel(root);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
