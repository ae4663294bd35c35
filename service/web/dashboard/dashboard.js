"use strict";
// The analytics dashboard: reads /v1/analytics/* with the key typed in (kept in this tab only) and
// draws each figure with plotly.js, served by this service, next to its data table.
(function () {
  const TEXT = {
    en: {
      skip: "Skip to the figures", title: "Analytics dashboard", signIn: "Sign in",
      signInHelp: "Use an analyst's or admin's API key (an institution's key shows its own programs only). The key stays in this browser tab.",
      key: "API key", signInButton: "Sign in", period: "Period", from: "From", to: "To", update: "Update",
      signOut: "Sign out", totals: "Key figures", targets: "Targets", overTime: "Click-through and referrals over time",
      funnel: "From search to referral (sessions)", topPrograms: "Top programs by clicks",
      topOccupations: "Top occupations by impressions", byRegion: "By region", byLanguage: "By language",
      byVariant: "By experiment variant", table: "Data table", tableExperiment: "Differences from the reference arm",
      loading: "Loading the figures…", loaded: "Figures loaded for {from} to {to}.", suppressed: "suppressed",
      none: "(none)", searches: "Searches", impressions: "Programs shown", clicks: "Clicks", ctr: "Click-through rate",
      inquiries: "Inquiries", referrals: "Referrals", referral_rate: "Referral rate", sessions: "Sessions",
      page_views: "Page views", robot_events: "Robot events (excluded)", group: "Group", day: "Day",
      searched: "Searched", saw_programs: "Saw programs", clicked: "Clicked", inquired_or_referred: "Inquiry or referral",
      step: "Step", share_of_previous: "Share of previous step", variant: "Variant", rate: "Rate",
      difference: "Difference", ci: "95% interval", reference: "reference", target: "Target", actual: "Actual so far",
      goal: "Goal so far", progress: "Progress", badKey: "The key was refused: {detail}", failed: "The figures could not be loaded: {detail}",
      exact: "Exact counts.", other: "Français", otherLang: "fr",
    },
    fr: {
      skip: "Aller aux chiffres", title: "Tableau de bord analytique", signIn: "Connexion",
      signInHelp: "Utilisez la clé d'API d'un analyste ou d'un administrateur (la clé d'un établissement ne montre que ses propres programmes). La clé reste dans cet onglet.",
      key: "Clé d'API", signInButton: "Se connecter", period: "Période", from: "Du", to: "Au", update: "Mettre à jour",
      signOut: "Se déconnecter", totals: "Chiffres clés", targets: "Cibles", overTime: "Taux de clics et aiguillages dans le temps",
      funnel: "De la recherche à l'aiguillage (sessions)", topPrograms: "Programmes les plus cliqués",
      topOccupations: "Professions les plus affichées", byRegion: "Par région", byLanguage: "Par langue",
      byVariant: "Par variante d'expérience", table: "Tableau de données", tableExperiment: "Écarts avec la variante de référence",
      loading: "Chargement des chiffres…", loaded: "Chiffres chargés du {from} au {to}.", suppressed: "supprimé",
      none: "(aucune)", searches: "Recherches", impressions: "Programmes affichés", clicks: "Clics", ctr: "Taux de clics",
      inquiries: "Demandes d'information", referrals: "Aiguillages", referral_rate: "Taux d'aiguillage", sessions: "Sessions",
      page_views: "Pages vues", robot_events: "Événements de robots (exclus)", group: "Groupe", day: "Jour",
      searched: "Ont cherché", saw_programs: "Ont vu des programmes", clicked: "Ont cliqué", inquired_or_referred: "Demande ou aiguillage",
      step: "Étape", share_of_previous: "Part de l'étape précédente", variant: "Variante", rate: "Taux",
      difference: "Écart", ci: "Intervalle à 95 %", reference: "référence", target: "Cible", actual: "Réel à ce jour",
      goal: "Objectif à ce jour", progress: "Progrès", badKey: "La clé a été refusée : {detail}", failed: "Les chiffres n'ont pu être chargés : {detail}",
      exact: "Chiffres exacts.", other: "English", otherLang: "en",
    },
  };
  const KEY = "lmi-dashboard-key";
  const LANG = "lmi-dashboard-lang";
  const $ = (id) => document.getElementById(id);
  const stored = localStorage.getItem(LANG);
  let lang = stored === "fr" || stored === "en" ? stored : (navigator.language || "en").slice(0, 2) === "fr" ? "fr" : "en";
  const t = (name, values) => (TEXT[lang][name] || name).replace(/\{(\w+)\}/g, (_, key) => (values || {})[key] ?? "");

  function count(value) {
    return value === null || value === undefined ? t("suppressed") : new Intl.NumberFormat(lang === "fr" ? "fr-CA" : "en-CA").format(value);
  }
  function percent(value) {
    return value === null || value === undefined ? t("suppressed")
      : new Intl.NumberFormat(lang === "fr" ? "fr-CA" : "en-CA", { style: "percent", maximumFractionDigits: 1 }).format(value);
  }

  function translatePage() {
    document.documentElement.lang = lang;
    document.querySelectorAll("[data-i18n]").forEach((element) => { element.textContent = t(element.dataset.i18n); });
    document.title = t("title");
    $("language").textContent = t("other");
    $("language").lang = t("otherLang");
  }

  async function get(path, params) {
    const query = new URLSearchParams(params).toString();
    const response = await fetch(`${path}?${query}`, { headers: { Authorization: `Bearer ${sessionStorage.getItem(KEY)}`, Accept: "application/json" } });
    const body = await response.json();
    if (!response.ok) {
      const error = new Error(body.detail || response.statusText);
      error.status = response.status;
      throw error;
    }
    return body;
  }

  function fillTable(id, columns, rows) {
    const table = $(id);
    table.replaceChildren();
    const head = table.createTHead().insertRow();
    columns.forEach(([, title]) => {
      const cell = document.createElement("th");
      cell.scope = "col";
      cell.textContent = title;
      head.appendChild(cell);
    });
    const body = table.createTBody();
    rows.forEach((row) => {
      const line = body.insertRow();
      columns.forEach(([name, , format], index) => {
        const cell = index === 0 ? document.createElement("th") : document.createElement("td");
        if (index === 0) cell.scope = "row";
        cell.textContent = format ? format(row[name], row) : row[name];
        cell.dataset.column = name;
        line.appendChild(cell);
      });
    });
  }

  const LAYOUT = { margin: { t: 10, r: 60, b: 50, l: 60 }, font: { family: "system-ui, sans-serif", size: 13 }, legend: { orientation: "h" } };
  const CONFIG = { displayModeBar: false, responsive: true };
  function plot(id, traces, layout) {
    return Plotly.react($(id), traces, { ...LAYOUT, ...layout }, CONFIG);
  }
  const label = (row) => row.label || row.key || t("none");

  function drawTotals(answer) {
    const totals = answer.current.totals;
    const cards = [["searches", count], ["impressions", count], ["clicks", count], ["ctr", percent], ["inquiries", count],
      ["referrals", count], ["referral_rate", percent], ["sessions", count]];
    const list = $("totals");
    list.replaceChildren();
    cards.forEach(([name, format]) => {
      const item = document.createElement("div");
      const term = document.createElement("dt");
      const value = document.createElement("dd");
      term.textContent = t(name);
      value.textContent = format(totals[name]);
      value.dataset.measure = name;
      item.append(term, value);
      list.appendChild(item);
    });
    const robots = document.createElement("div");
    robots.innerHTML = "<dt></dt><dd></dd>";
    robots.firstChild.textContent = t("robot_events");
    robots.lastChild.textContent = count(answer.current.robot_events);
    list.appendChild(robots);
    $("disclosure").textContent = answer.disclosure.rule === "exact" ? t("exact") : answer.disclosure.description;
  }

  function drawTargets(answer) {
    const targets = answer.targets || [];
    $("targets-section").hidden = targets.length === 0;
    if (!targets.length) return;
    const name = (item) => item.label || `${t(item.measure)} ${item.period.from} – ${item.period.to}`;
    fillTable("table-targets", [["name", t("target")], ["actual", t("actual"), (v) => count(v)], ["goal", t("goal"), (v) => count(v)],
      ["progress", t("progress"), (v) => percent(v)]], targets.map((item) => ({ ...item, name: name(item) })));
    plot("chart-targets", [{ type: "bar", orientation: "h", y: targets.map(name), x: targets.map((item) => item.progress),
      text: targets.map((item) => percent(item.progress)), textposition: "outside", marker: { color: "#0b5cad" } }],
      { xaxis: { tickformat: ".0%" }, margin: { ...LAYOUT.margin, l: 220 }, height: 80 + 40 * targets.length });
  }

  function drawTime(answer) {
    const rows = [...answer.current.groups].filter((row) => row.key).sort((a, b) => a.key.localeCompare(b.key));
    fillTable("table-time", [["key", t("day")], ["impressions", t("impressions"), count], ["clicks", t("clicks"), count],
      ["ctr", t("ctr"), percent], ["referrals", t("referrals"), count]], rows);
    plot("chart-time", [
      { type: "bar", name: t("referrals"), x: rows.map((row) => row.key), y: rows.map((row) => row.referrals),
        text: rows.map((row) => count(row.referrals)), textposition: "outside", marker: { color: "#6a3d9a" } },
      { type: "scatter", mode: "lines+markers", name: t("ctr"), x: rows.map((row) => row.key), y: rows.map((row) => row.ctr),
        yaxis: "y2", line: { color: "#0b5cad" } },
    ], { xaxis: { type: "category" }, yaxis: { title: { text: t("referrals") }, rangemode: "tozero" },
      yaxis2: { title: { text: t("ctr") }, overlaying: "y", side: "right", tickformat: ".0%", rangemode: "tozero" } });
  }

  function drawFunnel(answer) {
    fillTable("table-funnel", [["name", t("step")], ["sessions", t("sessions"), count], ["share_of_previous", t("share_of_previous"), percent]],
      answer.steps.map((step) => ({ ...step, name: t(step.step) })));
    plot("chart-funnel", [{ type: "funnel", y: answer.steps.map((step) => t(step.step)), x: answer.steps.map((step) => step.sessions),
      text: answer.steps.map((step) => count(step.sessions)), textinfo: "text", marker: { color: "#0b5cad" } }],
    { margin: { ...LAYOUT.margin, l: 170 } });
  }

  function drawRanking(id, answer, measure) {
    const rows = answer.current.groups.filter((row) => row.key && row[measure] !== null)
      .sort((a, b) => b[measure] - a[measure]).slice(0, 10);
    fillTable(`table-${id}`, [["name", t("group")], ["impressions", t("impressions"), count], ["clicks", t("clicks"), count],
      ["ctr", t("ctr"), percent], ["inquiries", t("inquiries"), count], ["referrals", t("referrals"), count]],
    rows.map((row) => ({ ...row, name: label(row) })));
    const shown = [...rows].reverse();
    plot(`chart-${id}`, [{ type: "bar", orientation: "h", y: shown.map((row) => label(row).slice(0, 48)), x: shown.map((row) => row[measure]),
      text: shown.map((row) => count(row[measure])), textposition: "outside", marker: { color: "#0b5cad" }, name: t(measure) }],
    { margin: { ...LAYOUT.margin, l: 320 }, height: 120 + 32 * shown.length });
  }

  function drawRates(id, answer) {
    const rows = answer.current.groups.filter((row) => row.key);
    fillTable(`table-${id}`, [["name", t("group")], ["impressions", t("impressions"), count], ["clicks", t("clicks"), count],
      ["ctr", t("ctr"), percent], ["referrals", t("referrals"), count], ["referral_rate", t("referral_rate"), percent]],
    rows.map((row) => ({ ...row, name: label(row) })));
    plot(`chart-${id}`, ["ctr", "referral_rate"].map((rate, index) => ({
      type: "bar", name: t(rate), x: rows.map(label), y: rows.map((row) => row[rate]),
      text: rows.map((row) => percent(row[rate])), textposition: "outside", marker: { color: index ? "#6a3d9a" : "#0b5cad" },
    })), { barmode: "group", yaxis: { tickformat: ".0%" } });
  }

  function drawExperiment(answer) {
    const experiment = answer.experiment || { arms: [] };
    const rows = [];
    experiment.arms.forEach((arm) => arm.differences.forEach((difference) => rows.push({
      name: `${arm.variant} − ${experiment.reference_variant}`, rate: t(difference.rate), ...difference,
    })));
    fillTable("table-experiment", [["name", t("variant")], ["rate", t("rate")], ["difference", t("difference"), percent],
      ["ci", t("ci"), (_, row) => `${percent(row.ci_low)} – ${percent(row.ci_high)}`]], rows);
    plot("chart-experiment", [{ type: "scatter", mode: "markers", x: rows.map((row) => row.difference),
      y: rows.map((row) => `${row.name} (${row.rate})`), marker: { size: 10, color: "#0b5cad" },
      error_x: { type: "data", symmetric: false, array: rows.map((row) => row.ci_high - row.difference),
        arrayminus: rows.map((row) => row.difference - row.ci_low) } }],
    { xaxis: { tickformat: ".1%", zeroline: true }, margin: { ...LAYOUT.margin, l: 260 }, height: 120 + 40 * Math.max(rows.length, 1) });
  }

  async function load() {
    const period = { from: $("from").value, to: $("to").value };
    $("status").classList.remove("error");
    $("status").textContent = t("loading");
    try {
      const [totals, day, course, occupation, region, language, variant, funnel] = await Promise.all([
        get("/v1/analytics/summary", period),
        ...["day", "course", "occupation", "region", "lang", "variant"].map((group) => get("/v1/analytics/summary", { ...period, group_by: group })),
        get("/v1/analytics/funnel", period),
      ]);
      $("sign-in").hidden = true;
      $("period").hidden = false;
      $("figures").hidden = false;
      drawTotals(totals);
      drawTargets(totals);
      drawTime(day);
      drawFunnel(funnel);
      drawRanking("course", course, "clicks");
      drawRanking("occupation", occupation, "impressions");
      drawRates("region", region);
      drawRates("lang", language);
      drawRates("variant", variant);
      drawExperiment(variant);
      $("status").textContent = t("loaded", period);
      document.body.dataset.loaded = "true";
    } catch (error) {
      $("status").classList.add("error");
      $("status").textContent = t(error.status === 401 || error.status === 403 ? "badKey" : "failed", { detail: error.message });
      if (error.status === 401) {
        sessionStorage.removeItem(KEY);
        $("sign-in").hidden = false;
        $("period").hidden = true;
        $("figures").hidden = true;
        $("key").focus();
      }
    }
  }

  function init() {
    translatePage();
    const today = new Date();
    const start = new Date(today.getTime() - 29 * 86400000);
    $("to").value = today.toISOString().slice(0, 10);
    $("from").value = start.toISOString().slice(0, 10);
    $("sign-in").addEventListener("submit", (event) => {
      event.preventDefault();
      sessionStorage.setItem(KEY, $("key").value.trim());
      $("key").value = "";
      load();
    });
    $("period").addEventListener("submit", (event) => { event.preventDefault(); load(); });
    $("sign-out").addEventListener("click", () => {
      sessionStorage.removeItem(KEY);
      window.location.reload();
    });
    $("language").addEventListener("click", () => {
      lang = lang === "fr" ? "en" : "fr";
      localStorage.setItem(LANG, lang);
      translatePage();
      if (sessionStorage.getItem(KEY)) load();
    });
    if (sessionStorage.getItem(KEY)) load();
  }
  init();
}());
