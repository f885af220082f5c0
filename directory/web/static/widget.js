/**
 * Signpost search widget: <signpost-search>, for any website, with one script tag.
 *
 *   <script src="https://SIGNPOST/static/widget.js" defer></script>
 *   <signpost-search heading="Find support" nation="ENG"></signpost-search>
 *
 * Attributes: api-base, issue, nation, near, per-page, accent, heading, exit-url.
 * Plain JavaScript, no build step. Shadow DOM keeps the host page's CSS out. Searches are
 * POSTed (a need never sits in a URL); no cookies, no storage; all text goes in as text.
 * The safety block is always shown, from a built-in copy when the API cannot be reached.
 */
(() => {
  "use strict";

  const script = document.currentScript;
  const SCRIPT_ORIGIN = script && script.src ? new URL(script.src, location.href).origin : location.origin;

  // A copy of directory/safety.py's block for all four nations (a test keeps them equal).
  const SAFETY = /* SAFETY */ {
    "message": "If you are in danger now, call 999 or go to A&E. For urgent mental health help, or to talk to someone any time, use these free lines.",
    "emergency": {"name": "Emergency services", "instructions": "Call 999 or go to A&E now if you or someone else is in immediate danger", "href": "tel:999", "nations": ["ENG", "SCT", "WLS", "NIR"]},
    "urgent": [
      {"name": "NHS 111 mental health option", "instructions": "Call 111 and choose the mental health option", "href": "tel:111", "nations": ["ENG"]},
      {"name": "NHS 24 Mental Health Hub", "instructions": "Call 111", "href": "tel:111", "nations": ["SCT"]},
      {"name": "NHS 111 Wales, press 2", "instructions": "Call 111 and press 2 (free, even with no credit)", "href": "tel:111", "nations": ["WLS"]},
      {"name": "Lifeline", "instructions": "Call 0808 808 8000 (free)", "href": "tel:08088088000", "nations": ["NIR"]}
    ],
    "listening": [
      {"name": "Samaritans", "instructions": "Call 116 123 free, day or night", "href": "tel:116123", "nations": ["ENG", "SCT", "WLS", "NIR"]},
      {"name": "Shout", "instructions": "Text SHOUT to 85258", "href": "sms:85258?body=SHOUT", "nations": ["ENG", "SCT", "WLS", "NIR"]}
    ]
  } /* END SAFETY */;

  const NATIONS = { ENG: "England", SCT: "Scotland", WLS: "Wales", NIR: "Northern Ireland" };
  const VERBS = {
    phone: "Call", text: "Text", email: "Email", web_chat: "Chat", website: "Website", app: "App",
    online_community: "Online community", in_person: "In person", video: "Video",
  };
  const REPORT_KINDS = [["phone", "Phone number"], ["hours", "Opening hours"], ["closed", "It has closed"],
    ["eligibility", "Who it is for"], ["other", "Something else"]];
  const DEFAULT_ACCENT = "#12365a";
  const YEAR_MS = 365 * 24 * 3600 * 1000;

  const CSS = `
:host { all: initial; display: block; contain: content; }
.box { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Arial, sans-serif; color: #1b1b1b; background: #fff;
  border: 2px solid var(--accent); border-radius: 8px; overflow: hidden; text-align: left; }
.bar { background: var(--accent); color: #fff; display: flex; justify-content: space-between; align-items: center;
  gap: 8px; padding: 8px 12px; }
h2 { font-size: 1.2em; margin: 0; }
h3 { font-size: 1.05em; margin: 0; }
.in { padding: 12px; }
a { color: #1d4ed8; }
button { font: inherit; font-weight: 600; border-radius: 4px; padding: 6px 12px; min-height: 44px; cursor: pointer;
  background: var(--accent); color: #fff; border: 2px solid var(--accent); }
.exit { background: #fff; color: #8a0c18; border-color: #fff; }
.safety { border: 3px solid #b10e1e; background: #fff5f5; border-radius: 6px; padding: 4px 12px; margin-bottom: 12px; }
.safety h3 { color: #8a0c18; margin-top: 4px; }
.safety p, .safety ul { margin: 4px 0; }
ul { padding-left: 20px; }
label { display: block; font-weight: 600; }
input[type=search], input[type=text], select, textarea { font: inherit; width: 100%; box-sizing: border-box; padding: 6px;
  border: 2px solid #1b1b1b; border-radius: 4px; min-height: 44px; background: #fff; color: #1b1b1b; }
.row { display: flex; flex-wrap: wrap; gap: 8px 16px; margin: 8px 0; }
.row > * { flex: 1 1 12em; }
.chips { display: flex; flex-wrap: wrap; gap: 6px; margin: 8px 0; padding: 0; border: 0; }
.chips legend { font-weight: 600; padding: 0; margin-bottom: 4px; }
.chip { background: #fff; color: #1b1b1b; border: 2px solid #4b5563; border-radius: 16px; min-height: 36px;
  padding: 2px 12px; font-weight: 400; }
.chip[aria-pressed=true] { background: var(--accent); color: #fff; border-color: var(--accent); font-weight: 600; }
.check { font-weight: 400; display: flex; align-items: center; gap: 6px; }
.check input { width: 24px; height: 24px; margin: 0; }
.status { margin: 8px 0; }
ol { list-style: none; padding: 0; margin: 0; }
article { border: 1px solid #6b7280; border-radius: 6px; padding: 8px 12px; margin: 8px 0; }
.org, .small { color: #3f3f46; font-size: .95em; margin: 0; }
.labels { display: flex; flex-wrap: wrap; gap: 6px; margin: 4px 0; padding: 0; }
.labels span { border: 1px solid #3f3f46; border-radius: 12px; padding: 0 8px; font-size: .9em; }
.labels .demo { background: #fff3cd; border-color: #7a5b00; color: #4d3900; font-weight: 600; }
.labels .stale { background: #fde8e8; border-color: #8a0c18; color: #6b0912; }
.labels .open { background: #e3f4e8; border-color: #1e6b35; color: #14532d; font-weight: 600; }
.channels { list-style: none; padding: 0; margin: 4px 0; }
.channels span { display: block; color: #3f3f46; font-size: .95em; }
.link { background: none; border: 0; color: #1d4ed8; text-decoration: underline; padding: 0; font-weight: 400; min-height: 24px; }
form.report { display: grid; gap: 6px; margin-top: 6px; }
:focus-visible { outline: 3px solid #1b1b1b; outline-offset: 2px; box-shadow: 0 0 0 6px #ffdd00; }
.bar :focus-visible { outline-color: #fff; }
`;

  /**
   * Make an element; children are nodes or strings (added as text, never parsed as HTML).
   * @param {string} tag
   * @param {Object<string, *>} [attrs]
   * @param {...(Node|string|null|false)} children
   */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === true) node.setAttribute(name, "");
      else if (value !== false && value != null) node.setAttribute(name, String(value));
    }
    for (const child of children) {
      if (child != null && child !== false) node.append(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return node;
  }

  /** Whether white text on this colour has at least 4.5:1 contrast (WCAG AA). */
  function readableWithWhite(color, probeParent) {
    const probe = el("span");
    probe.style.color = color;
    if (!probe.style.color) return false;
    probeParent.append(probe);
    const rgb = (getComputedStyle(probe).color.match(/[\d.]+/g) || []).slice(0, 3).map(Number);
    probe.remove();
    if (rgb.length < 3) return false;
    const [r, g, b] = rgb.map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05) >= 4.5;
  }

  function whenText(iso) {
    return new Date(iso).toLocaleString("en-GB", {
      weekday: "short", hour: "2-digit", minute: "2-digit", timeZone: "Europe/London",
    });
  }

  class SignpostSearch extends HTMLElement {
    connectedCallback() {
      if (this.shadowRoot) return;
      const root = this.attachShadow({ mode: "open" });
      if (root.adoptedStyleSheets && typeof CSSStyleSheet.prototype.replaceSync === "function") {
        // A constructed sheet: works under a host page's strict style-src CSP.
        const sheet = new CSSStyleSheet();
        sheet.replaceSync(CSS);
        root.adoptedStyleSheets = [sheet];
      } else {
        root.append(el("style", {}, CSS));
      }
      const attr = (name) => (this.getAttribute(name) || "").trim();
      this.api = (attr("api-base") || SCRIPT_ORIGIN).replace(/\/+$/, "");
      this.nation = NATIONS[attr("nation").toUpperCase()] ? attr("nation").toUpperCase() : null;
      this.perPage = Math.min(Math.max(parseInt(attr("per-page"), 10) || 10, 1), 50);
      this.issue = attr("issue");
      this.exitUrl = attr("exit-url") || "https://www.bbc.co.uk/weather";

      const box = el("section", { class: "box", "aria-labelledby": "sp-title" });
      root.append(box);
      const accent = attr("accent");
      box.style.setProperty("--accent", accent && readableWithWhite(accent, root) ? accent : DEFAULT_ACCENT);

      const exit = el("button", { type: "button", class: "exit" }, "Quick exit");
      exit.addEventListener("click", () => this.quickExit());
      this.safety = el("section", { class: "safety", "aria-labelledby": "sp-safety" });
      this.q = el("input", { type: "search", id: "sp-q", name: "q", autocomplete: "off", maxlength: 200 });
      this.near = el("input", { type: "text", id: "sp-near", name: "near", autocomplete: "off", maxlength: 100 });
      this.near.value = attr("near");
      this.chips = el("fieldset", { class: "chips", hidden: true }, el("legend", {}, "Topics"));
      this.openNow = el("input", { type: "checkbox", id: "sp-open" });
      this.noPhone = el("input", { type: "checkbox", id: "sp-nophone" });
      this.status = el("p", { class: "status", role: "status" });
      this.results = el("ol", { class: "results", "aria-label": "Results" });
      const form = el("form", { role: "search", "aria-label": "Find support" },
        el("div", { class: "row" },
          el("div", {}, el("label", { for: "sp-q" }, "What do you need help with?"), this.q),
          el("div", {}, el("label", { for: "sp-near" }, "Town or postcode (optional)"), this.near)),
        this.chips,
        el("div", { class: "row" },
          el("label", { class: "check" }, this.openNow, "Open now"),
          el("label", { class: "check" }, this.noPhone, "I can't use the phone")),
        el("button", { type: "submit" }, "Search"));
      form.addEventListener("submit", (event) => { event.preventDefault(); this.search(); });
      box.append(
        el("div", { class: "bar" }, el("h2", { id: "sp-title" }, attr("heading") || "Find support"), exit),
        el("div", { class: "in" }, this.safety, form,
          el("p", { class: "small" }, "What you type is not stored. Nothing is saved in your browser."),
          this.status, this.results));

      this.showSafety(SAFETY);
      this.getJson(`/api/v1/safety${this.nation ? `?nation=${this.nation}` : ""}`)
        .then((block) => this.showSafety(block)).catch(() => {});
      this.getJson("/api/v1/taxonomy_terms?taxonomy=issues&per_page=100")
        .then((terms) => this.showChips(terms.contents)).catch(() => {});
      if (this.issue || this.near.value) this.search();
    }

    /** Leave at once for a neutral page, without leaving this one in the back history. */
    quickExit() {
      this.shadowRoot.replaceChildren();
      window.location.replace(this.exitUrl);
    }

    async getJson(path) {
      const response = await fetch(this.api + path, { credentials: "omit", cache: "no-store" });
      if (!response.ok) throw new Error(String(response.status));
      return response.json();
    }

    /** Render a safety block (the API's or the built-in copy), limited to the nation if known. */
    showSafety(block) {
      const nation = block.nation || this.nation;
      const urgent = block.urgent.filter((route) => !nation || route.nations.includes(nation));
      const item = (route, where) => el("li", {}, el("strong", {}, route.name), where ? ` (${where})` : "", ": ",
        el("a", { href: route.href }, route.instructions));
      this.safety.replaceChildren(
        el("h3", { id: "sp-safety" }, "If you need help now"),
        el("p", {}, block.message),
        el("ul", {}, item(block.emergency),
          ...urgent.map((route) => item(route, urgent.length > 1 ? NATIONS[route.nations[0]] : "")),
          ...block.listening.map((route) => item(route))));
    }

    showChips(terms) {
      for (const term of terms.filter((t) => !t.parent)) {
        const chip = el("button", { type: "button", class: "chip", "aria-pressed": String(term.code === this.issue) }, term.name);
        chip.dataset.code = term.code;
        chip.addEventListener("click", () => {
          this.issue = this.issue === term.code ? "" : term.code;
          for (const other of this.chips.querySelectorAll(".chip")) {
            other.setAttribute("aria-pressed", String(other.dataset.code === this.issue));
          }
        });
        this.chips.append(chip);
      }
      this.chips.hidden = false;
    }

    async search() {
      const body = { per_page: this.perPage };
      if (this.q.value.trim()) body.q = this.q.value.trim();
      if (this.near.value.trim()) body.near = this.near.value.trim();
      if (this.issue) body.issue = this.issue;
      if (this.nation) body.nation = this.nation;
      if (this.openNow.checked) body.open_now = true;
      if (this.noPhone.checked) body.without_phone = true;
      this.status.textContent = "Searching…";
      let response, data;
      try {
        response = await fetch(`${this.api}/api/v1/search`, {
          method: "POST", credentials: "omit", cache: "no-store",
          headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
        });
        data = await response.json();
      } catch (error) {
        response = null;
      }
      if (!response || response.status >= 500) {
        this.results.replaceChildren();
        this.status.textContent = "Search is not available right now. The lines above are free and open day and night.";
        return;
      }
      if (!response.ok) {
        const messages = Object.values((data && data.errors) || {}).flat();
        this.results.replaceChildren();
        this.status.textContent = String(messages[0] || (data && data.message) || "That search did not work.");
        return;
      }
      this.showSafety(data.safety);
      this.showResults(data);
    }

    showResults(data) {
      const hits = data.contents;
      const where = data.place ? ` near ${data.place.name}` : "";
      this.status.replaceChildren(`${hits.length} service${hits.length === 1 ? "" : "s"} found${where}.`);
      if (data.suggestion) {
        const fix = el("button", { type: "button", class: "link" }, data.suggestion);
        fix.addEventListener("click", () => { this.q.value = data.suggestion; this.search(); });
        this.status.append(" Did you mean ", fix, "?");
      }
      this.results.replaceChildren(...hits.map((hit) => el("li", {}, this.card(hit))));
    }

    card(hit) {
      const checked = hit.verification && hit.verification.last_verified_at;
      const stale = !checked || Date.now() - Date.parse(checked) > YEAR_MS;
      let channels = hit.channels;
      if (this.noPhone.checked) channels = [...channels].sort((a, b) => (a.type === "phone") - (b.type === "phone"));
      const report = el("button", { type: "button", class: "link", "aria-expanded": "false" }, "Report a problem");
      const article = el("article", {},
        el("h3", {}, hit.name),
        el("p", { class: "org" }, hit.organization.name),
        el("p", { class: "labels" },
          ...hit.labels.map((label) => el("span", { class: "demo" }, label)),
          stale && el("span", { class: "stale" }, "May be out of date"),
          hit.open_now ? el("span", { class: "open" }, "Open now")
            : hit.next_open && el("span", {}, `Opens ${whenText(hit.next_open)}`),
          hit.distance_km != null && el("span", {}, `${hit.distance_km} km away`)),
        hit.issues.length > 0 && el("p", { class: "small" }, `Helps with: ${hit.issues.map((i) => i.name).join(", ")}`),
        el("ul", { class: "channels" }, ...channels.map((c) => el("li", {},
          `${VERBS[c.type] || c.type}: `,
          c.href ? el("a", { href: c.href, rel: "noopener noreferrer" }, c.value) : c.value,
          c.instructions && el("span", {}, c.instructions)))),
        report);
      report.addEventListener("click", () => {
        const open = article.querySelector("form.report");
        if (open) { open.remove(); report.setAttribute("aria-expanded", "false"); return; }
        article.append(this.reportForm(hit));
        report.setAttribute("aria-expanded", "true");
        article.querySelector("select").focus();
      });
      return article;
    }

    /** A "this information is wrong" form: POST /api/v1/services/{id}/reports. */
    reportForm(hit) {
      const id = `sp-r-${hit.id}`;
      const kind = el("select", { id: `${id}-kind` }, ...REPORT_KINDS.map(([value, text]) => el("option", { value }, text)));
      const message = el("textarea", { id: `${id}-msg`, maxlength: 1000, rows: 3 });
      const status = el("p", { role: "status", class: "small" });
      const form = el("form", { class: "report", "aria-label": `Report a problem with ${hit.name}` },
        el("label", { for: `${id}-kind` }, "What is wrong?"), kind,
        el("label", { for: `${id}-msg` }, "Details (optional, do not include anything about yourself)"), message,
        el("button", { type: "submit" }, "Send report"), status);
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        const body = { kind: kind.value };
        if (message.value.trim()) body.message = message.value.trim().slice(0, 1000);
        status.textContent = "Sending…";
        try {
          const response = await fetch(`${this.api}/api/v1/services/${encodeURIComponent(hit.id)}/reports`, {
            method: "POST", credentials: "omit", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
          });
          status.textContent = response.status === 201 ? "Thank you. We will check this listing." : "Sorry, that did not send.";
        } catch (error) {
          status.textContent = "Sorry, that did not send.";
        }
      });
      return form;
    }
  }

  if (!customElements.get("signpost-search")) customElements.define("signpost-search", SignpostSearch);
})();
