/**
 * The receptionist's page, enhanced: a count of ticked services, "report a problem" forms,
 * triage mode (walks /api/v1/triage/questionnaire), and print and copy on the handout.
 * The page works without this file; answers stay in memory and are never stored.
 */
(() => {
  "use strict";

  /**
   * Make an element; children are nodes or strings (always added as text, never as HTML).
   * @param {string} tag
   * @param {Object<string, string|boolean>} [attrs]
   * @param {...(Node|string|null)} children
   * @returns {HTMLElement}
   */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === true) node.setAttribute(name, "");
      else if (value !== false && value != null) node.setAttribute(name, String(value));
    }
    for (const child of children) {
      if (child != null) node.append(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return node;
  }

  /** POST JSON and return [status, body]. */
  async function postJson(url, body) {
    const response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
      credentials: "omit",
    });
    let data = null;
    try { data = await response.json(); } catch (error) { data = null; }
    return [response.status, data];
  }

  /** The first message of an error response, for people. */
  function errorMessage(data, fallback) {
    if (data && data.errors) {
      for (const messages of Object.values(data.errors)) {
        if (Array.isArray(messages) && messages.length) return String(messages[0]);
      }
    }
    return (data && data.message) || fallback;
  }

  function whenText(iso) {
    return new Date(iso).toLocaleString("en-GB", {
      weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit",
      timeZone: "Europe/London",
    });
  }

  // Ticked services: the button says how many.
  const handoutForm = document.getElementById("handout-form");
  function countPicks() {
    if (!handoutForm) return;
    const ticked = document.querySelectorAll('input[form="handout-form"]:checked').length;
    const count = handoutForm.querySelector(".pick-count");
    if (count) count.textContent = ticked ? ` (${ticked} ticked)` : "";
  }
  document.addEventListener("change", (event) => {
    if (event.target instanceof HTMLInputElement && event.target.form === handoutForm) countPicks();
  });
  countPicks();

  // "Report a problem": the contract of POST /api/v1/services/{id}/reports.
  for (const form of document.querySelectorAll("form.report-form")) {
    form.closest("details").hidden = false;
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const status = form.querySelector(".report-status");
      const body = { kind: form.elements.kind.value };
      const message = form.elements.message.value.trim();
      if (message) body.message = message.slice(0, 1000);
      status.textContent = "Sending…";
      try {
        const [code, data] = await postJson(`/api/v1/services/${encodeURIComponent(form.dataset.service)}/reports`, body);
        status.textContent = code === 201
          ? "Thank you: an editor will check this listing."
          : `Not sent: ${errorMessage(data, "please try again later")}.`;
        if (code === 201) form.reset();
      } catch (error) {
        status.textContent = "Not sent: the server could not be reached.";
      }
    });
  }

  // The handout: print and copy.
  const printButton = document.getElementById("print-handout");
  if (printButton) {
    printButton.hidden = false;
    printButton.addEventListener("click", () => window.print());
  }
  const backLink = document.getElementById("back-to-search");
  if (backLink && window.history.length > 1) {
    backLink.addEventListener("click", (event) => { event.preventDefault(); window.history.back(); });
  }
  const copyButton = document.getElementById("copy-text");
  if (copyButton) {
    const text = document.getElementById("handout-text");
    const status = document.getElementById("copy-status");
    copyButton.hidden = false;
    copyButton.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(text.value);
      } catch (error) {
        text.select();
        document.execCommand("copy");
      }
      status.textContent = "Copied. Paste it into a text message or an email.";
    });
  }

  // Triage mode.
  const triage = document.getElementById("triage");
  if (!triage) return;
  triage.hidden = false;
  const steps = document.getElementById("triage-steps");
  const start = document.getElementById("triage-start");
  let questions = [];
  let answers = {};
  let index = 0;

  start.addEventListener("click", async () => {
    answers = {};
    index = 0;
    steps.replaceChildren(el("p", { role: "status" }, "Loading the questions…"));
    try {
      const response = await fetch("/api/v1/triage/questionnaire", { credentials: "omit" });
      questions = (await response.json()).questions;
      for (const question of questions) {
        if (question.options_from) {
          const terms = await (await fetch(question.options_from + "&per_page=100", { credentials: "omit" })).json();
          question.options = terms.contents.map((term) => ({ value: term.code, label: term.name }));
        }
      }
    } catch (error) {
      steps.replaceChildren(el("p", { role: "alert" }, "Triage is not available right now. Use the search, and the lines above."));
      return;
    }
    start.textContent = "Start again";
    showQuestion();
  });

  /** Render the input(s) for one question, filled with any answer given before. */
  function inputsFor(question) {
    const id = `tq-${question.id}`;
    const given = answers[question.id];
    if (question.type === "single" || question.type === "boolean" || question.type === "multiple") {
      const options = question.type === "boolean"
        ? [{ value: "true", label: "Yes" }, { value: "false", label: "No" }]
        : question.options || [];
      const kind = question.type === "multiple" ? "checkbox" : "radio";
      return el("div", { class: "options" }, ...options.map((option) => el("label", {},
        el("input", {
          type: kind, name: id, value: option.value,
          checked: Array.isArray(given) ? given.includes(option.value) : String(given) === option.value,
        }),
        ` ${option.label}`)));
    }
    if (question.type === "scores") {
      return el("div", { class: "options" }, ...Array.from({ length: question.items }, (_, item) => {
        const select = el("select", { id: `${id}-${item}`, name: id },
          el("option", { value: "" }, "Not answered"),
          ...["0 not at all", "1 several days", "2 more than half the days", "3 nearly every day"].map(
            (label, score) => el("option", { value: score, selected: given && given[item] === score }, label)));
        return el("p", {}, el("label", { for: `${id}-${item}` }, `Part ${item + 1} `), select);
      }));
    }
    const attrs = { id, name: id, autocomplete: "off", maxlength: question.max_length || null };
    if (question.type === "integer") Object.assign(attrs, { inputmode: "numeric", pattern: "[0-9]*" });
    const field = question.max_length > 200 ? el("textarea", { ...attrs, rows: 3 }) : el("input", attrs);
    field.value = given == null ? "" : String(given);
    return el("div", {}, el("label", { for: id, class: "visually-hidden" }, question.text), field);
  }

  /** Read the current question's answer; undefined when it was left blank. */
  function readAnswer(question) {
    const name = `tq-${question.id}`;
    const inputs = [...steps.querySelectorAll(`[name="${name}"]`)];
    if (question.type === "multiple") {
      const chosen = inputs.filter((input) => input.checked).map((input) => input.value);
      return chosen.length ? chosen : undefined;
    }
    if (question.type === "single" || question.type === "boolean") {
      const chosen = inputs.find((input) => input.checked);
      if (!chosen) return undefined;
      return question.type === "boolean" ? chosen.value === "true" : chosen.value;
    }
    if (question.type === "scores") {
      const scores = inputs.map((select) => select.value);
      return scores.every((score) => score !== "") ? scores.map(Number) : undefined;
    }
    const value = inputs[0].value.trim();
    if (!value) return undefined;
    return question.type === "integer" ? Number(value) : value;
  }

  function showQuestion() {
    const question = questions[index];
    const heading = el("legend", { tabindex: -1 }, `Question ${index + 1} of ${questions.length}: ${question.text}`);
    const error = el("p", { class: "error", role: "alert" });
    const warning = el("p", { class: "danger-now", role: "alert" });
    const fieldset = el("fieldset", { class: "question" }, heading,
      question.help ? el("p", { class: "hint" }, question.help) : null,
      question.optional ? null : el("p", { class: "hint" }, "This question needs an answer."),
      inputsFor(question), warning, error);
    const back = el("button", { type: "button", class: "secondary", disabled: index === 0 }, "Back");
    const last = index === questions.length - 1;
    const next = el("button", { type: "submit" }, last ? "See the result" : (question.optional ? "Next (or skip)" : "Next"));
    const form = el("form", { class: "triage-step", novalidate: true }, fieldset, el("div", { class: "nav" }, back, next));
    if (question.id === "immediate_danger") {
      form.addEventListener("change", () => {
        warning.textContent = readAnswer(question) === "yes"
          ? "Call 999 now, or go to A&E. You can carry on with the questions afterwards."
          : "";
      });
    }
    back.addEventListener("click", () => { answers[question.id] = readAnswer(question); index -= 1; showQuestion(); });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const answer = readAnswer(question);
      if (answer === undefined && !question.optional) {
        error.textContent = "Choose an answer (\"I'd rather not say\" is fine).";
        return;
      }
      if (answer === undefined) delete answers[question.id];
      else answers[question.id] = answer;
      if (last) submit();
      else { index += 1; showQuestion(); }
    });
    steps.replaceChildren(form);
    heading.focus();
  }

  async function submit() {
    steps.replaceChildren(el("p", { role: "status" }, "Working out the options…"));
    let code, data;
    try {
      [code, data] = await postJson("/api/v1/triage", { answers });
    } catch (error) {
      code = 0;
    }
    if (code !== 200) {
      const back = el("button", { type: "button" }, "Back to the questions");
      back.addEventListener("click", () => { index = 0; showQuestion(); });
      steps.replaceChildren(el("p", { role: "alert" }, `Triage could not answer: ${errorMessage(data, "the server could not be reached")}. Use the lines above.`), back);
      return;
    }
    answers = {};
    showResult(data);
  }

  const NATIONS = { ENG: "England", SCT: "Scotland", WLS: "Wales", NIR: "Northern Ireland" };

  /** Narrow the page's safety block to the one triage answered with (the person's nation). */
  function showSafety(safety) {
    const list = document.querySelector("main > .safety ul");
    if (!list || !safety) return;
    const item = (route, where) => el("li", {}, el("strong", {}, route.name), where ? ` (${where})` : "", ": ",
      el("a", { href: route.href }, route.instructions), route.hours ? `, ${route.hours}` : "");
    list.replaceChildren(item(safety.emergency),
      ...safety.urgent.map((route) => item(route, safety.urgent.length > 1 ? NATIONS[route.nations[0]] : "")),
      ...safety.listening.map((route) => item(route)));
  }

  function showResult(result) {
    const urgency = result.urgency;
    showSafety(result.safety);
    const heading = el("h3", { tabindex: -1 }, `Result: ${urgency.label}`);
    const list = el("ol", { class: "service-list" }, ...result.recommendations.map((rec) => {
      const id = `triage-pick-${rec.service.id}`;
      const channel = rec.channel;
      return el("li", {}, el("article", { class: "service" },
        el("div", { class: "service-head" },
          el("input", { type: "checkbox", class: "pick", form: "handout-form", name: "service", value: rec.service.id, id }),
          el("h4", {}, el("label", { for: id }, rec.service.name, el("span", { class: "visually-hidden" }, ": add to handout")))),
        el("p", { class: "labels" },
          rec.service.demo ? el("span", { class: "label label-demo" }, "Demo listing") : null,
          rec.open_now ? el("span", { class: "label label-open" }, "Open now")
            : rec.next_open ? el("span", { class: "label" }, `Opens ${whenText(rec.next_open)}`) : null,
          rec.distance_km != null ? el("span", { class: "label" }, `${rec.distance_km} km away`) : null),
        channel ? el("p", {}, channel.href ? el("a", { href: channel.href }, channel.value) : channel.value,
          channel.instructions ? ` (${channel.instructions})` : null) : null,
        el("p", { class: "reasons-heading" }, "Why:"),
        el("ul", { class: "reasons" }, ...rec.reasons.map((reason) => el("li", {}, reason))),
        rec.caveats.length ? el("p", {}, "Good to know:") : null,
        rec.caveats.length ? el("ul", { class: "caveats" }, ...rec.caveats.map((caveat) => el("li", {}, caveat))) : null));
    }));
    steps.replaceChildren(
      el("div", { class: `urgency level-${urgency.level}` }, heading,
        el("p", {}, urgency.advice), el("p", {}, `When: ${urgency.timeframe}`)),
      el("h3", {}, "Suggested services"),
      result.recommendations.length ? list : el("p", {}, "No services matched: use the lines above."),
      el("p", { class: "hint" }, result.disclaimer));
    if (handoutForm) handoutForm.hidden = false;
    heading.focus();
  }
})();
